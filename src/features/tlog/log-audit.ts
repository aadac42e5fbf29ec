/**
 * A monitor's full audit of a log served as C2SP tlog-tiles, trusting nothing but the verifier
 * key: verify the checkpoint signature, fetch every entry bundle and every hash tile at every
 * level, re-hash each entry into its RFC 6962 leaf hash, rebuild the tree and compare each served
 * tile and the signed root with what the entries give; then, given a checkpoint saved by an earlier
 * run, compute a consistency proof from the tiles (RFC 9162 §2.1.4) and verify it.
 *
 * Uses only `fetch`, so it runs anywhere; `npm run verify -- --log <url>` wraps it.
 */
import { bytesEqual, toBase64 } from '../../crypto/bytes.js';
import { sha256Sync } from '../../crypto/sha256-sync.js';
import { type Checkpoint, openCheckpoint } from './checkpoint.js';
import { appendLeaves, type CompactRange, emptyCompactRange } from './compact-range.js';
import { decodeEntryBundle } from './entry-bundle.js';
import { HASH_SIZE, inThreadHasher, type NodeId, shiftRight } from './merkle.js';
import { parseVerifierKey } from './note.js';
import { consistencyProof } from './proofs.js';
import { entriesPath, TILE_HEIGHT, TILE_WIDTH, tilePath } from './tile-path.js';
import { verifyConsistency } from './verify.js';

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export class AuditError extends Error {
  override name = 'AuditError';
}

export interface AuditOptions {
  /** The log's URL prefix (…/log), under which checkpoint and tile/ are served. */
  prefix: string;
  /** `<name>+<id>+<key>`; the checkpoint origin must be the key's name. */
  vkey: string;
  /** A checkpoint note saved by an earlier audit: the new one must be consistent with it. */
  previous?: string;
  fetch?: typeof fetch;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface AuditResult {
  note: string;
  checkpoint: Checkpoint;
  /** Hash tiles and entry bundles fetched and checked. */
  resources: number;
  /** Size of the previous checkpoint the new one was proven consistent with. */
  consistentWith?: number;
}

export async function auditLog(options: AuditOptions): Promise<AuditResult> {
  const prefix = options.prefix.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const concurrency = options.concurrency ?? 8;
  const get = async (path: string): Promise<Uint8Array> => {
    const res = await doFetch(`${prefix}/${path}`);
    if (res.status !== 200) throw new AuditError(`${path}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const verifier = await parseVerifierKey(options.vkey);
  const note = new TextDecoder().decode(await get('checkpoint'));
  const checkpoint = await openCheckpoint(note, verifier, { origin: verifier.name });
  const size = checkpoint.size;
  let resources = 0;

  // Level 0: entry bundles and leaf-hash tiles, tile by tile, rebuilding the tree as we go.
  // `levels[L]` collects the tree's hashes at height 8L, i.e. what the level-L tiles must hold.
  const levels: Uint8Array[][] = [[]];
  let range: CompactRange = emptyCompactRange;
  let rootHash = (await appendLeaves(range, [], inThreadHasher)).rootHash;
  const level0Tiles = Math.ceil(size / TILE_WIDTH);
  for (let start = 0; start < level0Tiles; start += concurrency) {
    const group = Array.from({ length: Math.min(concurrency, level0Tiles - start) }, (_, k) => start + k);
    const fetched = await Promise.all(
      group.map(async (n) => {
        const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
        return { n, width, bundle: await get(entriesPath(n, width)), tile: await get(tilePath(0, n, width)) };
      }),
    );
    for (const { n, width, bundle, tile } of fetched) {
      resources += 2;
      let entries: Uint8Array[];
      try {
        entries = decodeEntryBundle(bundle);
      } catch (err) {
        throw new AuditError(`${entriesPath(n, width)}: ${(err as Error).message}`);
      }
      if (entries.length !== width)
        throw new AuditError(`${entriesPath(n, width)} holds ${entries.length} entries, not ${width}`);
      const hashes = entries.map((e) => sha256Sync(LEAF_PREFIX, e)); // RFC 6962 §2.1 leaf hash
      checkTile(tilePath(0, n, width), tile, hashes);
      const appended = await appendLeaves(range, hashes, inThreadHasher);
      range = appended.range;
      rootHash = appended.rootHash;
      for (const node of appended.nodes) {
        if (node.level % TILE_HEIGHT !== 0) continue;
        const L = node.level / TILE_HEIGHT;
        levels[L] ??= [];
        levels[L][node.index] = node.hash;
      }
    }
  }
  if (!bytesEqual(rootHash, checkpoint.rootHash)) {
    throw new AuditError(
      `the entries give root ${toBase64(rootHash)}, but the checkpoint signs ${toBase64(checkpoint.rootHash)}`,
    );
  }

  // Levels 1 and up: every tile, full and partial, must hold exactly the hashes rebuilt above.
  for (let L = 1; shiftRight(size, L * TILE_HEIGHT) > 0; L++) {
    const count = shiftRight(size, L * TILE_HEIGHT);
    for (let n = 0; n * TILE_WIDTH < count; n++) {
      const width = Math.min(TILE_WIDTH, count - n * TILE_WIDTH);
      const path = tilePath(L, n, width);
      checkTile(path, await get(path), levels[L]!.slice(n * TILE_WIDTH, n * TILE_WIDTH + width));
      resources++;
    }
  }

  const result: AuditResult = { note, checkpoint, resources };
  if (options.previous !== undefined)
    result.consistentWith = await checkConsistency(options.previous, verifier, checkpoint, levels);
  return result;
}

/** The older checkpoint must be a prefix of the new tree: RFC 9162 consistency proof from tiles. */
async function checkConsistency(
  previousNote: string,
  verifier: Awaited<ReturnType<typeof parseVerifierKey>>,
  now: Checkpoint,
  levels: Uint8Array[][],
): Promise<number> {
  const old = await openCheckpoint(previousNote, verifier, { origin: verifier.name });
  if (old.size > now.size)
    throw new AuditError(`the log shrank from ${old.size} to ${now.size} entries since the saved checkpoint`);
  if (old.size === now.size) {
    if (!bytesEqual(old.rootHash, now.rootHash))
      throw new AuditError(`two different roots signed for size ${now.size}: the log forked`);
    return old.size;
  }
  if (old.size === 0) return 0; // every tree extends the empty one
  const proof = await consistencyProof(tileHashReader(levels), old.size, now.size, inThreadHasher);
  if (!(await verifyConsistency(old.size, now.size, proof, old.rootHash, now.rootHash, inThreadHasher))) {
    throw new AuditError(
      `the tree of size ${now.size} is not consistent with the saved checkpoint of size ${old.size}: the log forked`,
    );
  }
  return old.size;
}

/**
 * Any complete subtree's hash from tile data, as Go's tlog.TileHashReader does: node (l, i) is
 * the root of 2^(l mod 8) consecutive hashes at the tile level below it.
 */
function tileHashReader(levels: Uint8Array[][]) {
  return async (nodes: readonly NodeId[]) =>
    nodes.map(({ level, index }) => {
      const L = Math.floor(level / TILE_HEIGHT);
      const span = 2 ** (level - L * TILE_HEIGHT);
      let row = levels[L]!.slice(index * span, (index + 1) * span);
      if (row.length !== span || row.some((h) => !h)) throw new AuditError(`tiles do not cover node (${level}, ${index})`);
      while (row.length > 1) row = row.flatMap((_, k) => (k % 2 ? [] : [sha256Sync(NODE_PREFIX, row[k]!, row[k + 1]!)]));
      return row[0]!;
    });
}

function checkTile(path: string, tile: Uint8Array, expected: readonly Uint8Array[]) {
  if (tile.length !== expected.length * HASH_SIZE) {
    throw new AuditError(`${path} is ${tile.length} bytes, not ${expected.length} hashes`);
  }
  expected.forEach((hash, i) => {
    if (!bytesEqual(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), hash)) {
      throw new AuditError(`${path}: hash ${i} does not match what the log's entries give`);
    }
  });
}
