/**
 * The wire format of C2SP tlog-witness `POST <prefix>/add-checkpoint` (https://c2sp.org/tlog-witness),
 * shared by the witness (workers/witness) and the log that asks it:
 *
 *   request   "old <size>\n", 0–63 lines of base64 consistency-proof hashes, "\n", the signed checkpoint
 *   409       Content-Type text/x.tlog.size, body "<size of the witness's latest checkpoint>\n"
 *   200       one or more cosignature lines ("— <name> <base64>\n")
 */
import { toBase64 } from '../../crypto/bytes.js';
import { HASH_SIZE } from './merkle.js';
import { decodeStrictBase64 } from './note-text.js';

export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_CONSISTENCY_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim. */
  readonly checkpoint: string;
}

/** Why a body is not an add-checkpoint request; the witness answers 400 with it. */
export class MalformedAddCheckpoint extends Error {
  override name = 'MalformedAddCheckpoint';
}

export function formatAddCheckpoint({ oldSize, proof, checkpoint }: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError('old size must be a non-negative integer');
  if (proof.length > MAX_CONSISTENCY_PROOF_LINES) throw new RangeError('a consistency proof has at most 63 hashes');
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join('')}\n${checkpoint}`;
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const firstBreak = body.indexOf('\n');
  const oldLine = firstBreak < 0 ? body : body.slice(0, firstBreak);
  const match = /^old (0|[1-9][0-9]*)$/.exec(oldLine);
  const oldSize = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(oldSize)) {
    throw new MalformedAddCheckpoint('the first line must be "old <size>" in decimal without leading zeros');
  }
  const proof: Uint8Array[] = [];
  let at = firstBreak + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) throw new MalformedAddCheckpoint('the proof lines must be followed by an empty line and the checkpoint');
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    const hash = decodeStrictBase64(line);
    if (hash?.length !== HASH_SIZE) throw new MalformedAddCheckpoint('each consistency proof line is one base64 SHA-256 hash');
    if (proof.push(hash) > MAX_CONSISTENCY_PROOF_LINES) {
      throw new MalformedAddCheckpoint(`at most ${MAX_CONSISTENCY_PROOF_LINES} consistency proof lines`);
    }
  }
  const checkpoint = body.slice(at);
  if (checkpoint === '') throw new MalformedAddCheckpoint('the checkpoint is missing');
  return { oldSize, proof, checkpoint };
}

/** The body of a 409: the witness's latest size in decimal and a newline. */
export function formatTlogSize(size: number): string {
  return `${size}\n`;
}

/** Parses a 409 body, or null when it is not one. */
export function parseTlogSize(body: string): number | null {
  const match = /^(0|[1-9][0-9]*)\n$/.exec(body);
  const size = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(size) ? size : null;
}
