import { join } from 'node:path';
import type { DatabaseHandle } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { type NoteVerifier, parseVerifierKey } from '../../src/features/tlog/note.js';

export const WITNESS_SCHEMA_DIR = join(new URL('.', import.meta.url).pathname, 'schema');

/** Applies the witness's own migrations (workers/witness/schema), never the registry's. */
export function migrateWitness(handle: DatabaseHandle): Promise<string[]> {
  return migrate(handle, WITNESS_SCHEMA_DIR);
}

/** Log origin → trusted keys, from verifier keys whose name is the origin (as the log's are). */
export async function logKeysByOrigin(vkeys: readonly string[]): Promise<Map<string, NoteVerifier[]>> {
  const logs = new Map<string, NoteVerifier[]>();
  for (const vkey of vkeys) {
    const verifier = await parseVerifierKey(vkey);
    logs.set(verifier.name, [...(logs.get(verifier.name) ?? []), verifier]);
  }
  return logs;
}
