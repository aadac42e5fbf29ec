/**
 * The manifest of a verifiable export (`manifest.json`) and the signed note that vouches for it
 * (`manifest.sig`). The manifest lists every other file of the archive with its SHA-256; the note,
 * signed by the log's key, carries the manifest's SHA-256. So every byte of the archive is covered:
 * a file by the manifest, the manifest by the note, and each event, besides, by its tlog-proof.
 */
import { z } from 'zod';
import { toHex } from '../../crypto/bytes.js';

export const EXPORT_FORMAT = 'haipai-export/v1';

/** Fixed paths of the archive; events, proofs and evidence files are named after what they hold. */
export const PATHS = {
  signature: 'manifest.sig',
  manifest: 'manifest.json',
  vkey: 'log/vkey',
  checkpoint: 'log/checkpoint',
  caseRecord: 'case.json',
  event: (id: string) => `events/${id}.json`,
  proof: (id: string) => `proofs/${id}.tlog-proof`,
  evidence: (sha256Hex: string) => `evidence/${sha256Hex}`,
} as const;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-Z]{26}$`));

const holdingSchema = z.strictObject({
  accountId: id('acc'),
  platformId: id('plt'),
  // `acquiredBy`: the event of the latest change of owner; the verifier replays the unit's history to it.
  units: z.array(z.strictObject({ unitId: id('unt'), acquiredBy: id('evt') })),
  // `heldSince`: the event that last named the work's rights holder (asset.created, or
  // asset.rights_transferred by an IP case); the verifier replays the work's history to it.
  works: z.array(z.strictObject({ workId: id('ast'), heldSince: id('evt') })),
});

export const manifestSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  kind: z.enum(['holdings', 'case', 'subjects']),
  exportedAt: z.iso.datetime(),
  log: z.strictObject({ origin: z.string().min(1), size: z.number().int().nonnegative(), rootHash: z.string() }),
  subjects: z.strictObject({
    works: z.array(id('ast')),
    units: z.array(id('unt')),
    listings: z.array(id('lst')),
    trades: z.array(id('trd')),
  }),
  /** Every event of the subjects' histories, in log order; each is in the checkpointed tree. */
  events: z.array(z.strictObject({ id: id('evt'), type: z.string(), logIndex: z.number().int().nonnegative() })),
  /** Evidence by hash; `included` when the file itself is in the archive (officials' exports). */
  evidence: z.array(
    z.strictObject({ sha256: hex64, size: z.number().int().positive(), uploadId: id('upl').nullable(), included: z.boolean() }),
  ),
  holdings: z.array(holdingSchema).optional(),
  case: z.strictObject({ id: z.string().min(1) }).optional(),
  files: z.array(z.strictObject({ path: z.string().min(1), sha256: hex64, size: z.number().int().nonnegative() })),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type Holding = z.infer<typeof holdingSchema>;

/**
 * The text the log key signs for a manifest. Its second line is no tree size, so no checkpoint
 * parser (ours, Go's) can mistake the note for a checkpoint, whatever the first line says.
 */
export function manifestNoteText(manifestSha256: Uint8Array): string {
  return `${EXPORT_FORMAT}\n${PATHS.manifest} sha256 ${toHex(manifestSha256)}\n`;
}
