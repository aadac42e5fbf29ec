/**
 * The offline verifier of exports (`npm run verify -- --archive FILE`, `--case FILE`): needs no
 * server, only the archive and, ideally, the log's key obtained out of band. It checks every byte
 * and reports each failure by the file it is in: the tar's structure, the manifest's signature by
 * the log key, every file's SHA-256, the checkpoint's signature (and witnesses, given a policy),
 * each event's tlog-proof against that checkpoint, the holdings replayed from the proven histories,
 * the evidence files against their recorded hashes, and a case record against the log.
 */
import { bytesEqual, sha256, toBase64, toHex } from '../../crypto/bytes.js';
import { type Checkpoint, openCheckpoint } from '../tlog/checkpoint.js';
import { requireQuorum, type WitnessPolicy } from '../tlog/cosignature.js';
import { type NoteVerifier, openNote, parseVerifierKey } from '../tlog/note.js';
import { parseTlogProof, verifyTlogProof } from '../tlog/tlog-proof.js';
import { EXPORT_FORMAT, type Manifest, manifestNoteText, manifestSchema, PATHS } from './manifest.js';
import { readTar, TarError } from './tar.js';
import { verifyCase } from './verify-case.js';
import { replayHoldings } from './verify-holdings.js';

export interface ArchiveVerdict {
  /** Empty when the archive verified; else one line per failure, each naming the file at fault. */
  failures: string[];
  manifest?: Manifest;
  checkpoint?: Checkpoint;
  /** Whose key was trusted: the one given by the verifier, or the one in the archive. */
  keySource?: 'given' | 'archive';
}

export interface VerifyArchiveOptions {
  /** The log's verifier key, as the verifier trusts it; without it the archive's own log/vkey is used. */
  vkey?: string;
  witnesses?: WitnessPolicy;
  /** `case`: the archive must be a case export with its case record. */
  expectKind?: Manifest['kind'];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export async function verifyArchive(tar: Uint8Array, options: VerifyArchiveOptions = {}): Promise<ArchiveVerdict> {
  const failures: string[] = [];
  let files: Map<string, Uint8Array>;
  try {
    files = new Map(readTar(tar).map((f) => [f.name, f.bytes]));
  } catch (err) {
    if (err instanceof TarError) return { failures: [`archive: ${err.message}`] };
    throw err;
  }
  const required = [PATHS.signature, PATHS.manifest, PATHS.vkey, PATHS.checkpoint];
  const missing = required.filter((p) => !files.has(p));
  if (missing.length) return { failures: missing.map((p) => `${p}: missing from the archive`) };

  // The key: the verifier's own if given (the archive's copy must then agree), else the archive's.
  const archivedKey = text(files.get(PATHS.vkey)!)?.trim();
  if (options.vkey !== undefined && archivedKey !== options.vkey.trim()) {
    failures.push(`${PATHS.vkey}: differs from the log key given to the verifier`);
  }
  let verifier: NoteVerifier;
  try {
    verifier = await parseVerifierKey((options.vkey ?? archivedKey ?? '').trim());
  } catch (err) {
    return { failures: [...failures, `${options.vkey === undefined ? PATHS.vkey : '--vkey'}: ${(err as Error).message}`] };
  }
  const keySource = options.vkey === undefined ? 'archive' : 'given';

  // The manifest, vouched for by the log key.
  const manifestBytes = files.get(PATHS.manifest)!;
  try {
    const signed = await openNote(files.get(PATHS.signature)!, verifier);
    if (signed !== manifestNoteText(await sha256(manifestBytes))) {
      failures.push(
        signed.startsWith(`${EXPORT_FORMAT}\n`)
          ? `${PATHS.manifest}: its SHA-256 is not the one signed in ${PATHS.signature}`
          : `${PATHS.signature}: not a signature of an export manifest`,
      );
    }
  } catch (err) {
    failures.push(`${PATHS.signature}: ${(err as Error).message}`);
  }
  const manifest = parseManifest(manifestBytes, failures);
  if (!manifest) return { failures, keySource };

  // Every file: listed, and exactly as listed.
  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  for (const name of files.keys()) {
    if (name !== PATHS.signature && name !== PATHS.manifest && !listed.has(name))
      failures.push(`${name}: not listed in the manifest`);
  }
  for (const f of manifest.files) {
    const bytes = files.get(f.path);
    if (!bytes) failures.push(`${f.path}: listed in the manifest but missing from the archive`);
    else if (bytes.length !== f.size || toHex(await sha256(bytes)) !== f.sha256) {
      failures.push(`${f.path}: its SHA-256 differs from the manifest's (the file was changed)`);
    }
  }

  // The checkpoint everything is proven against.
  const checkpointNote = text(files.get(PATHS.checkpoint)!) ?? '';
  let checkpoint: Checkpoint | undefined;
  try {
    checkpoint = await openCheckpoint(checkpointNote, verifier, { origin: verifier.name });
    if (options.witnesses) await requireQuorum(checkpointNote, options.witnesses);
    if (checkpoint.size !== manifest.log.size || toBase64(checkpoint.rootHash) !== manifest.log.rootHash) {
      failures.push(`${PATHS.manifest}: its log size and root are not those of ${PATHS.checkpoint}`);
    }
  } catch (err) {
    failures.push(`${PATHS.checkpoint}: ${(err as Error).message}`);
  }

  await verifyEvents(files, manifest, verifier, checkpointNote, failures);
  const entries = eventEntries(files, manifest);
  failures.push(...replayHoldings(manifest, entries));
  await verifyEvidence(files, manifest, failures);
  const caseRecord = files.has(PATHS.caseRecord) ? parseJson(files.get(PATHS.caseRecord)!) : undefined;
  failures.push(...(await verifyCase(caseRecord, manifest, entries, options.expectKind)));
  return { failures, manifest, checkpoint, keySource };
}

/** Each event's entry is at its index under the checkpoint's root, by its own tlog-proof. */
async function verifyEvents(
  files: Map<string, Uint8Array>,
  manifest: Manifest,
  verifier: NoteVerifier,
  checkpointNote: string,
  failures: string[],
): Promise<void> {
  let previous = -1;
  for (const e of manifest.events) {
    const entryPath = PATHS.event(e.id);
    const proofPath = PATHS.proof(e.id);
    if (e.logIndex <= previous) failures.push(`${PATHS.manifest}: event ${e.id} is out of log order or listed twice`);
    previous = e.logIndex;
    const entry = files.get(entryPath);
    const proof = files.get(proofPath);
    if (!entry || !proof) {
      failures.push(`${!entry ? entryPath : proofPath}: missing for event ${e.id}`);
      continue;
    }
    const facts = parseJson(entry);
    if (facts?.id !== e.id || facts?.type !== e.type)
      failures.push(`${entryPath}: not the event ${e.id} (${e.type}) the manifest lists`);
    const proofText = text(proof) ?? '';
    try {
      const parsed = parseTlogProof(proofText);
      if (parsed.checkpoint !== checkpointNote) failures.push(`${proofPath}: its checkpoint is not ${PATHS.checkpoint}`);
      if (parsed.extra && !bytesEqual(parsed.extra, entry)) failures.push(`${proofPath}: its extra line is not ${entryPath}`);
      const ok = await verifyTlogProof(proofText, verifier, { entry }, { origin: verifier.name });
      if (ok.index !== e.logIndex) failures.push(`${proofPath}: proves index ${ok.index}, the manifest says ${e.logIndex}`);
    } catch (err) {
      failures.push(`${proofPath}: ${(err as Error).message}`);
    }
  }
}

/** The events' facts by id, for the replays (unreadable entries are already reported). */
function eventEntries(files: Map<string, Uint8Array>, manifest: Manifest): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const e of manifest.events) {
    const facts = parseJson(files.get(PATHS.event(e.id)) ?? new Uint8Array());
    if (facts) out.set(e.id, facts);
  }
  return out;
}

async function verifyEvidence(files: Map<string, Uint8Array>, manifest: Manifest, failures: string[]): Promise<void> {
  for (const e of manifest.evidence) {
    const path = PATHS.evidence(e.sha256);
    const bytes = files.get(path);
    if (!e.included) {
      if (bytes) failures.push(`${path}: present, but the manifest says the file is not included`);
      continue;
    }
    if (!bytes) failures.push(`${path}: missing, though the manifest says the file is included`);
    else if (toHex(await sha256(bytes)) !== e.sha256 || bytes.length !== e.size) {
      failures.push(`${path}: its SHA-256 is not the evidence's recorded SHA-256 ${e.sha256}`);
    }
  }
}

function parseManifest(bytes: Uint8Array, failures: string[]): Manifest | undefined {
  const json = parseJson(bytes);
  if (!json) {
    failures.push(`${PATHS.manifest}: not valid JSON`);
    return undefined;
  }
  const parsed = manifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  failures.push(`${PATHS.manifest}: ${issue.path.join('.') || 'the document'}: ${issue.message}`);
  return undefined;
}

function text(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text(bytes) ?? '');
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
