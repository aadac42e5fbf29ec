import { sha256, toHex } from '../../crypto/bytes.js';
import type { Trx } from '../../db/database.js';
import { unprocessable } from '../../http/problem.js';
import { completedUploadsFor } from '../uploads/uploads.repo.js';

/** The hex SHA-256 of a free text: what the log carries in place of a statement or a reason. */
export const textSha256 = async (text: string) => toHex(await sha256(text));

/**
 * Evidence files: completed (server-verified) uploads made by the party that submits them, as
 * assets take their files. Returns their SHA-256s, in the order given, for the event; the files
 * themselves stay in the object store, referenced from case_evidence.
 */
export async function checkEvidence(
  trx: Trx,
  partyId: string,
  uploadIds: string[],
): Promise<{ uploadId: string; sha256: string }[]> {
  const ids = [...new Set(uploadIds)];
  const rows = await completedUploadsFor(trx, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const row = byId.get(id);
    if (!row || row.account_id !== partyId) {
      throw unprocessable('invalid_evidence', `Upload ${id} is not a completed upload of account ${partyId}.`, { uploadId: id });
    }
  }
  return ids.map((id) => ({ uploadId: id, sha256: toHex(byId.get(id)!.sha256) }));
}
