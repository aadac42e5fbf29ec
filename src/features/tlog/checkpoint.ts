/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text a log signs for a tree
 * head. Lines: origin, tree size in decimal (no leading zeros), base64 root hash, then optional
 * non-empty extension lines; every line ends in a newline.
 */
import { toBase64 } from '../../crypto/bytes.js';
import { assertHash, assertTreeSize } from './merkle.js';
import { type NoteSigner, type NoteVerifier, openNote, signNote } from './note.js';
import { assertNoteText, decodeStrictBase64 } from './note-text.js';
import { TlogError } from './tlog-error.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque extension lines; the spec discourages them, as monitors cannot audit them. */
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions?: readonly string[];
}

/** The checkpoint note text: `origin\nsize\nbase64(root)\n` plus any extension lines. */
export function formatCheckpoint({ origin, size, rootHash, extensions = [] }: CheckpointInput): string {
  if (origin === '' || origin.includes('\n')) throw new TlogError('malformed_checkpoint', 'origin must be one non-empty line');
  assertTreeSize(size);
  assertHash(rootHash, 'root hash');
  for (const line of extensions) {
    if (line === '' || line.includes('\n'))
      throw new TlogError('malformed_checkpoint', 'extension lines must be single non-empty lines');
  }
  const text = [origin, String(size), toBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
  assertNoteText(text);
  return text;
}

/** Parses checkpoint note text (already verified — see `openCheckpoint`). Throws `malformed_checkpoint`. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new TlogError('malformed_checkpoint', 'checkpoint text must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (lines.length < 3 || lines.some((line) => line === '')) {
    throw new TlogError('malformed_checkpoint', 'a checkpoint has at least three lines, none empty');
  }
  const size = /^(0|[1-9][0-9]*)$/.test(sizeText!) ? Number(sizeText) : Number.NaN;
  if (!Number.isSafeInteger(size))
    throw new TlogError('malformed_checkpoint', 'tree size must be a decimal integer without leading zeros');
  const rootHash = decodeStrictBase64(rootText);
  if (rootHash?.length !== 32) throw new TlogError('malformed_checkpoint', 'root hash must be 32 bytes of base64');
  return { origin: origin!, size, rootHash, extensions };
}

/** Formats and signs a checkpoint. The log must never sign two inconsistent ones: that is the caller's job. */
export function signCheckpoint(checkpoint: CheckpointInput, signers: NoteSigner | readonly NoteSigner[]): Promise<string> {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a signed checkpoint and parses it. When `origin` is given the checkpoint must be for
 * that log: a key might sign for several logs, and a proof against another log proves nothing.
 */
export async function openCheckpoint(
  note: string | Uint8Array,
  trusted: string | NoteVerifier | readonly (string | NoteVerifier)[],
  options: { readonly origin?: string } = {},
): Promise<Checkpoint> {
  const checkpoint = parseCheckpoint(await openNote(note, trusted));
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new TlogError('origin_mismatch', `checkpoint is for ${checkpoint.origin}, not ${options.origin}`);
  }
  return checkpoint;
}
