import type { Queryable, Trx } from '../../db/database.js';
import type { NewRow, Row } from '../../db/schema.js';

export type UploadRow = Row<'uploads'>;

export async function insertUpload(db: Queryable, row: NewRow<'uploads'>): Promise<UploadRow> {
  return db.insertInto('uploads').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findUpload(db: Queryable, id: string): Promise<UploadRow | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The upload row, locked until the transaction ends: completions of one upload queue here. */
export async function lockUpload(trx: Trx, id: string): Promise<UploadRow | undefined> {
  return trx.selectFrom('uploads').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function markCompleted(trx: Trx, id: string, now: Date): Promise<UploadRow> {
  return trx
    .updateTable('uploads')
    .set({ status: 'completed', completed_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type CompletedUpload = Pick<UploadRow, 'id' | 'account_id' | 'platform_id' | 'sha256' | 'media_type' | 'size'>;

/**
 * The completed uploads among `uploadIds`, for features that attach files (assets). Ids that are
 * unknown or still pending are simply absent; callers decide what that means and check
 * `platform_id` / `account_id` themselves. Pass a transaction to read inside the caller's one.
 */
export async function completedUploadsFor(db: Queryable, uploadIds: string[]): Promise<CompletedUpload[]> {
  const ids = [...new Set(uploadIds)];
  if (ids.length === 0) return [];
  return db
    .selectFrom('uploads')
    .select(['id', 'account_id', 'platform_id', 'sha256', 'media_type', 'size'])
    .where('id', 'in', ids)
    .where('status', '=', 'completed')
    .orderBy('id')
    .execute();
}
