/**
 * Builds a verifiable export: a tar holding the subjects' events (canonical JSON), each event's
 * tlog-proof against one signed checkpoint, that checkpoint (with its witnesses' cosignatures),
 * the log's verifier key, evidence files or their hashes, and a manifest signed by the log's key.
 *
 * Every event in an export is proven. The caller (`exportArchive`) integrates the log first and
 * reads in one repeatable-read snapshot; an event committed after the latest checkpoint makes
 * `assembleArchive` answer null, and the caller integrates again.
 */
import { sha256, toBase64, toHex } from '../../crypto/bytes.js';
import type { Queryable } from '../../db/database.js';
import { AppError, conflict, unprocessable } from '../../http/problem.js';
import type { BlobStore } from '../../ports/blob-store.js';
import { cosignedCheckpoint } from '../tlog/cosignatures.repo.js';
import { batchedNodeReader, tlogProofText } from '../tlog/event-proofs.js';
import { type LeafRow, latestCheckpoint, leavesOfEvents } from '../tlog/log.repo.js';
import { type NoteSigner, signNote } from '../tlog/note.js';
import { EXPORT_FORMAT, type Holding, type Manifest, manifestNoteText, PATHS } from './manifest.js';
import { type Subjects, subjectEvents } from './subject-events.js';
import { type TarFile, writeTar } from './tar.js';

/** An export is built in memory: past this many events, narrow it (one account, one case). */
export const MAX_EXPORT_EVENTS = 10_000;
/** Proofs are built this many at a time, so one batched node read stays well under PostgreSQL's parameter limit. */
const PROOF_CHUNK = 256;

export interface EvidenceInput {
  sha256: Uint8Array;
  size: number;
  uploadId: string | null;
  /** Where the bytes are, for exports that include the files. */
  objectKey: string;
}

export interface ArchiveInput {
  kind: Manifest['kind'];
  subjects: Subjects;
  evidence?: readonly EvidenceInput[];
  /** Put the evidence files themselves in the archive (officials' exports), not only their hashes. */
  includeEvidenceFiles?: boolean;
  holdings?: readonly Holding[];
  /** The case record, stored as `case.json` (case exports). */
  caseRecord?: { id: string; record: unknown };
}

export interface Archive {
  bytes: Uint8Array;
  manifest: Manifest;
}

export interface ArchiveDeps {
  blobs: BlobStore;
  signer: NoteSigner;
  now: Date;
}

export async function assembleArchive(db: Queryable, deps: ArchiveDeps, input: ArchiveInput): Promise<Archive | null> {
  const latest = await latestCheckpoint(db);
  if (!latest) return null;
  const checkpoint = await cosignedCheckpoint(db, latest);
  const events = await subjectEvents(db, input.subjects);
  if (events.length > MAX_EXPORT_EVENTS) {
    throw unprocessable(
      'export_too_large',
      `This export would hold ${events.length} events, more than the ${MAX_EXPORT_EVENTS} one archive may hold: export fewer subjects (one account at a time).`,
    );
  }
  if (events.some((e) => e.logIndex === null || e.logIndex >= checkpoint.size)) return null;
  events.sort((a, b) => a.logIndex! - b.logIndex!);

  const encoder = new TextEncoder();
  const files: TarFile[] = [];
  if (input.caseRecord)
    files.push({ name: PATHS.caseRecord, bytes: encoder.encode(`${JSON.stringify(input.caseRecord.record, null, 2)}\n`) });
  const read = batchedNodeReader(db);
  for (let i = 0; i < events.length; i += PROOF_CHUNK) {
    const chunk = events.slice(i, i + PROOF_CHUNK);
    const leaves = new Map<string, LeafRow>(
      (
        await leavesOfEvents(
          db,
          chunk.map((e) => e.id),
        )
      ).map((l) => [l.eventId, l]),
    );
    const proofs = await Promise.all(chunk.map((e) => tlogProofText(read, leaves.get(e.id)!, checkpoint)));
    chunk.forEach((e, j) => {
      files.push({ name: PATHS.event(e.id), bytes: encoder.encode(e.entry) });
      files.push({ name: PATHS.proof(e.id), bytes: encoder.encode(proofs[j]!) });
    });
  }

  const evidence = dedupeEvidence(input.evidence ?? []);
  for (const e of input.includeEvidenceFiles ? evidence : []) {
    files.push({ name: PATHS.evidence(toHex(e.sha256)), bytes: await evidenceBytes(deps.blobs, e) });
  }

  const vkey = { name: PATHS.vkey, bytes: encoder.encode(`${deps.signer.verifierKey}\n`) };
  const note = { name: PATHS.checkpoint, bytes: encoder.encode(checkpoint.note) };
  const listed = [vkey, note, ...files];
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    kind: input.kind,
    exportedAt: deps.now.toISOString(),
    log: { origin: deps.signer.name, size: checkpoint.size, rootHash: toBase64(checkpoint.rootHash) },
    subjects: {
      works: [...input.subjects.works].sort(),
      units: [...input.subjects.units].sort(),
      listings: [...input.subjects.listings].sort(),
      trades: [...input.subjects.trades].sort(),
    },
    events: events.map((e) => ({ id: e.id, type: e.type, logIndex: e.logIndex! })),
    evidence: evidence.map((e) => ({
      sha256: toHex(e.sha256),
      size: e.size,
      uploadId: e.uploadId,
      included: input.includeEvidenceFiles === true,
    })),
    ...(input.holdings ? { holdings: [...input.holdings] } : {}),
    ...(input.caseRecord ? { case: { id: input.caseRecord.id } } : {}),
    files: await Promise.all(
      listed.map(async (f) => ({ path: f.name, sha256: toHex(await sha256(f.bytes)), size: f.bytes.length })),
    ),
  };
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = await signNote(manifestNoteText(await sha256(manifestBytes)), deps.signer);
  const bytes = writeTar(
    [{ name: PATHS.signature, bytes: encoder.encode(signature) }, { name: PATHS.manifest, bytes: manifestBytes }, ...listed],
    deps.now,
  );
  return { bytes, manifest };
}

/** The same file given twice (two uploads of one document) is stored once; the first upload names it. */
function dedupeEvidence(list: readonly EvidenceInput[]): EvidenceInput[] {
  const byHash = new Map<string, EvidenceInput>();
  for (const e of list) if (!byHash.has(toHex(e.sha256))) byHash.set(toHex(e.sha256), e);
  return [...byHash.values()].sort((a, b) => (toHex(a.sha256) < toHex(b.sha256) ? -1 : 1));
}

/** The stored bytes, checked against the hash the registry recorded when the upload completed. */
async function evidenceBytes(blobs: BlobStore, e: EvidenceInput): Promise<Uint8Array> {
  const bytes = await blobs.read(e.objectKey);
  const label = e.uploadId ?? toHex(e.sha256);
  if (!bytes) throw conflict('evidence_missing', `The stored file of evidence ${label} is missing from the object store.`);
  if (toHex(await sha256(bytes)) !== toHex(e.sha256)) {
    // The store no longer holds what was uploaded: exporting it would hand out a file the record does not vouch for.
    throw new AppError(500, 'evidence_altered', `The stored file of evidence ${label} no longer matches its recorded SHA-256.`);
  }
  return bytes;
}
