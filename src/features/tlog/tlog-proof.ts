/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): an offline proof that an entry is in a log,
 * stored as a `.tlog-proof` file.
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64>            optional, unauthenticated application data
 *   index <decimal>           zero-based, no leading zeros
 *   <base64 hash>             RFC 6962 §2.1.1 audit path, leaf's sibling first, zero or more lines
 *
 *   <signed checkpoint>       verbatim, as served at /log/checkpoint
 *
 * Laid out like transparency-dev/merkle `proof.NewTLogProof`, which writes `extra` whenever
 * extra data is given, even empty.
 */
import { toBase64 } from '../../crypto/bytes.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { requireQuorum, type ValidCosignature, type WitnessPolicy } from './cosignature.js';
import { assertHash, assertTreeSize, HASH_SIZE, leafHash as hashLeaf, type MerkleHasher, webCryptoHasher } from './merkle.js';
import type { NoteVerifier } from './note.js';
import { decodeStrictBase64 } from './note-text.js';
import { TlogError } from './tlog-error.js';
import { verifyInclusion } from './verify.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** A proof in a tree of fewer than 2^64 leaves has at most 64 hashes. */
const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim (ends in a newline). */
  readonly checkpoint: string;
  readonly extra?: Uint8Array;
}

export interface VerifiedTlogProof {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  /** Not authenticated by anything: never trust it on its own. */
  readonly extra?: Uint8Array;
  /** The policy witnesses' valid cosignatures, when a witness policy was given. */
  readonly cosignatures?: readonly ValidCosignature[];
}

export function formatTlogProof({ index, proof, checkpoint, extra }: TlogProof): string {
  assertTreeSize(index, 'index');
  if (proof.length > MAX_PROOF_HASHES) throw new RangeError(`an inclusion proof has at most ${MAX_PROOF_HASHES} hashes`);
  for (const hash of proof) assertHash(hash, 'proof hash');
  // The checkpoint's first line (the origin) is never empty, so the blank separator stays unambiguous.
  if (checkpoint === '' || checkpoint.startsWith('\n') || !checkpoint.endsWith('\n')) {
    throw new TlogError('malformed_proof', 'the checkpoint must be a signed note ending in a newline');
  }
  let out = `${TLOG_PROOF_HEADER}\n`;
  if (extra !== undefined) out += `extra ${toBase64(extra)}\n`;
  out += `index ${index}\n`;
  for (const hash of proof) out += `${toBase64(hash)}\n`;
  return `${out}\n${checkpoint}`;
}

/** Parses the layout only; `verifyTlogProof` checks what it claims. Throws `malformed_proof`. */
export function parseTlogProof(text: string): TlogProof {
  const lines = text.split('\n');
  let at = 0;
  const next = (): string | undefined => lines[at++];
  if (next() !== TLOG_PROOF_HEADER) throw malformed(`the first line must be ${TLOG_PROOF_HEADER}`);

  let line = next();
  let extra: Uint8Array | undefined;
  if (line?.startsWith('extra ')) {
    const decoded = decodeStrictBase64(line.slice('extra '.length));
    if (!decoded) throw malformed('extra data must be base64');
    extra = decoded;
    line = next();
  }

  const indexText = line?.startsWith('index ') ? line.slice('index '.length) : undefined;
  const index = indexText !== undefined && /^(0|[1-9][0-9]*)$/.test(indexText) ? Number(indexText) : Number.NaN;
  if (!Number.isSafeInteger(index)) throw malformed('expected "index <decimal>" without leading zeros');

  const proof: Uint8Array[] = [];
  for (line = next(); line !== undefined && line !== ''; line = next()) {
    const hash = decodeStrictBase64(line);
    if (!hash || hash.length !== HASH_SIZE) throw malformed('each proof line must be a base64 SHA-256 hash');
    if (proof.push(hash) > MAX_PROOF_HASHES) throw malformed(`an inclusion proof has at most ${MAX_PROOF_HASHES} hashes`);
  }
  if (line === undefined) throw malformed('a blank line and the checkpoint must follow the proof hashes');

  const checkpoint = lines.slice(at).join('\n');
  if (checkpoint === '') throw malformed('the checkpoint is missing');
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * Verifies an offline proof: the checkpoint is signed by a trusted log key (and is for `origin`,
 * when given), and the audit path puts the entry at `index` under the checkpoint's root. Give
 * the entry bytes, or its RFC 6962 leaf hash. With a witness policy, the checkpoint must also
 * carry valid cosignatures (C2SP tlog-cosignature) from at least `quorum` of its witnesses: one
 * log key alone could show different people different histories. Throws TlogError
 * (`malformed_proof`, the note and checkpoint codes, `witness_quorum_not_met`, `not_included`);
 * returns what was proven.
 */
export async function verifyTlogProof(
  text: string,
  trusted: string | NoteVerifier | readonly (string | NoteVerifier)[],
  leaf: { readonly entry: Uint8Array } | { readonly leafHash: Uint8Array },
  options: { readonly origin?: string; readonly hasher?: MerkleHasher; readonly witnesses?: WitnessPolicy } = {},
): Promise<VerifiedTlogProof> {
  const hasher = options.hasher ?? webCryptoHasher;
  const parsed = parseTlogProof(text);
  const checkpoint = await openCheckpoint(parsed.checkpoint, trusted, { origin: options.origin });
  const cosignatures = options.witnesses ? await requireQuorum(parsed.checkpoint, options.witnesses) : undefined;
  const hash = 'entry' in leaf ? await hashLeaf(leaf.entry, hasher) : leaf.leafHash;
  if (parsed.index >= checkpoint.size) {
    throw new TlogError('not_included', `index ${parsed.index} is outside the checkpointed tree of size ${checkpoint.size}`);
  }
  if (!(await verifyInclusion(parsed.index, checkpoint.size, hash, parsed.proof, checkpoint.rootHash, hasher))) {
    throw new TlogError(
      'not_included',
      `the proof does not place this entry at index ${parsed.index} under the checkpoint's root`,
    );
  }
  return {
    index: parsed.index,
    checkpoint,
    ...(parsed.extra === undefined ? {} : { extra: parsed.extra }),
    ...(cosignatures === undefined ? {} : { cosignatures }),
  };
}

function malformed(message: string): TlogError {
  return new TlogError('malformed_proof', message);
}
