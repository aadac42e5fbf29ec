/**
 * Tile coordinates and resource paths of C2SP tlog-tiles (https://c2sp.org/tlog-tiles):
 * `tile/<L>/<N>[.p/<W>]` for Merkle hashes and `tile/entries/<N>[.p/<W>]` for entry bundles,
 * relative to the log's URL prefix.
 *
 * A tile at level L, index N holds the hashes of tree nodes (8L, N·256 + i), i < W: at level 0
 * leaf hashes, above that the root of each full 256-wide tile of the level below. A tile with
 * W = 256 is full and immutable; 1 ≤ W ≤ 255 is a partial tile on the right edge of a tree.
 */
import { assertTreeSize, type NodeId, shiftRight } from './merkle.js';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
/** The spec bounds `<L>` to 0–63. */
export const MAX_TILE_LEVEL = 63;

export interface TileId {
  readonly level: number;
  readonly index: number;
  /** 1–256; 256 means a full tile. */
  readonly width: number;
}

export type ParsedTilePath =
  | ({ readonly kind: 'hashes' } & TileId)
  | { readonly kind: 'entries'; readonly index: number; readonly width: number };

/** `tile/<L>/<N>[.p/<W>]`, e.g. tilePath(0, 1234067) = `tile/0/x001/x234/067`. */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) {
    throw new RangeError(`tile level must be 0–${MAX_TILE_LEVEL}, got ${level}`);
  }
  return `tile/${level}/${encodeIndex(index, width)}`;
}

/** `tile/entries/<N>[.p/<W>]`: the entry bundle beside level-0 tile N. */
export function entriesPath(index: number, width: number = TILE_WIDTH): string {
  return `tile/entries/${encodeIndex(index, width)}`;
}

/**
 * Parses either kind of tile path. Returns null unless the path is exactly what `tilePath` or
 * `entriesPath` would write: no missing or extra leading zeros, no misplaced `x`, width 1–255
 * only after `.p/` (a full tile has no suffix, so `.p/256` is refused), level 0–63.
 */
export function parseTilePath(path: string): ParsedTilePath | null {
  const match = /^tile\/(entries|\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/.exec(path);
  if (!match) return null;
  const [, levelText, indexText, widthText] = match;
  let index = 0;
  for (const group of indexText!.split('/')) index = index * 1000 + Number(group.replace('x', ''));
  if (!Number.isSafeInteger(index)) return null;
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && !(width >= 1 && width < TILE_WIDTH)) return null;
  if (levelText === 'entries') {
    return entriesPath(index, width) === path ? { kind: 'entries', index, width } : null;
  }
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) return null;
  // The round trip rejects every non-canonical spelling the pattern lets through (`00`, `x000/…`).
  return tilePath(level, index, width) === path ? { kind: 'hashes', level, index, width } : null;
}

/** The tree nodes whose hashes a tile holds, in tile order. */
export function tileNodes(tile: TileId): NodeId[] {
  assertTile(tile);
  const level = tile.level * TILE_HEIGHT;
  const first = tile.index * TILE_WIDTH;
  return Array.from({ length: tile.width }, (_, i) => ({ level, index: first + i }));
}

/**
 * Whether a tree of `size` leaves has every hash of the tile, i.e. whether the log may serve it
 * for that tree. (A partial tile is only required for sizes that were checkpointed.)
 */
export function tileInTree(tile: TileId, size: number): boolean {
  assertTile(tile);
  assertTreeSize(size);
  return tile.index * TILE_WIDTH + tile.width <= shiftRight(size, tile.level * TILE_HEIGHT);
}

/**
 * The tiles a tree of `newSize` has that a tree of `oldSize` lacks in that exact form: each full
 * tile completed between the two sizes, and the partial tile at the right edge of every level
 * of the new tree (tlog-tiles "Partial Tiles": width ⌊s / 256^L⌋ mod 256). Level by level, then
 * by index; empty unless oldSize < newSize.
 */
export function newTiles(oldSize: number, newSize: number): TileId[] {
  assertTreeSize(oldSize, 'old size');
  assertTreeSize(newSize, 'new size');
  const tiles: TileId[] = [];
  if (oldSize >= newSize) return tiles;
  for (let level = 0; level <= MAX_TILE_LEVEL; level++) {
    const oldCount = shiftRight(oldSize, level * TILE_HEIGHT);
    const newCount = shiftRight(newSize, level * TILE_HEIGHT);
    if (oldCount === newCount) break; // nothing above this level changed either
    for (let n = shiftRight(oldCount, TILE_HEIGHT); n < shiftRight(newCount, TILE_HEIGHT); n++) {
      tiles.push({ level, index: n, width: TILE_WIDTH });
    }
    const partial = newCount % TILE_WIDTH;
    if (partial > 0) tiles.push({ level, index: shiftRight(newCount, TILE_HEIGHT), width: partial });
  }
  return tiles;
}

/** `<N>` in zero-padded three-digit path elements, all but the last prefixed with `x`. */
function encodeIndex(index: number, width: number): string {
  assertTreeSize(index, 'tile index');
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`tile width must be 1–${TILE_WIDTH}, got ${width}`);
  }
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  return width === TILE_WIDTH ? n : `${n}.p/${width}`;
}

function assertTile(tile: TileId): void {
  tilePath(tile.level, tile.index, tile.width); // validates all three fields
}
