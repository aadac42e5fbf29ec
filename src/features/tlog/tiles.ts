/**
 * C2SP tlog-tiles resources read from storage: hash tiles `tile/<L>/<N>[.p/<W>]` and entry
 * bundles `tile/entries/<N>[.p/<W>]`. Every stored node and leaf is in a signed tree (the
 * integrator stores them in the transaction that signs the checkpoint), so a tile is served
 * exactly when storage holds all of it, without consulting the checkpoint.
 */
import type { Queryable } from '../../db/database.js';
import { encodeEntryBundle } from './entry-bundle.js';
import { readEntries, readLevelHashes } from './log.repo.js';
import { parseTilePath, TILE_HEIGHT, TILE_WIDTH } from './tile-path.js';

export interface TileResource {
  body: Uint8Array;
  /** A full tile never changes; a partial one is superseded as the log grows. */
  full: boolean;
}

/** The bytes at `path` (relative to /log/), or null when the path is not a tile this log has. */
export async function readTileResource(db: Queryable, path: string): Promise<TileResource | null> {
  const tile = parseTilePath(path);
  if (!tile) return null;
  const first = tile.index * TILE_WIDTH;
  if (!Number.isSafeInteger(first + tile.width)) return null;
  const full = tile.width === TILE_WIDTH;
  if (tile.kind === 'entries') {
    const entries = await readEntries(db, first, tile.width);
    if (!entries) return null;
    const encoder = new TextEncoder();
    return { body: encodeEntryBundle(entries.map((e) => encoder.encode(e))), full };
  }
  const body = await readLevelHashes(db, tile.level * TILE_HEIGHT, first, tile.width);
  return body && { body, full };
}
