import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendLeaves, emptyCompactRange } from '../../src/features/tlog/compact-range.js';
import { decodeEntryBundle, encodeEntryBundle, MAX_ENTRY_SIZE } from '../../src/features/tlog/entry-bundle.js';
import { inThreadHasher } from '../../src/features/tlog/merkle.js';
import { entriesPath, newTiles, parseTilePath, tileInTree, tileNodes, tilePath } from '../../src/features/tlog/tile-path.js';

describe('C2SP tlog-tiles paths', () => {
  it('encodes the index in three-digit elements, all but the last prefixed with x', () => {
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(2, 67)).toBe('tile/2/067');
    expect(tilePath(1, 0, 17)).toBe('tile/1/000.p/17');
    expect(tilePath(0, 1000)).toBe('tile/0/x001/000');
    expect(tilePath(63, 999, 255)).toBe('tile/63/999.p/255');
    expect(entriesPath(1234067)).toBe('tile/entries/x001/x234/067');
    expect(entriesPath(5, 112)).toBe('tile/entries/005.p/112');
    expect(() => tilePath(64, 0)).toThrow(RangeError);
    expect(() => tilePath(0, -1)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 0)).toThrow(RangeError);
    expect(() => tilePath(0, 0, 257)).toThrow(RangeError);
  });

  it('parses what it writes', () => {
    const tile = fc.record({
      level: fc.integer({ min: 0, max: 63 }),
      index: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.maxSafeNat()),
      width: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(tile, ({ level, index, width }) => {
        expect(parseTilePath(tilePath(level, index, width))).toEqual({ kind: 'hashes', level, index, width });
        expect(parseTilePath(entriesPath(index, width))).toEqual({ kind: 'entries', index, width });
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses every non-canonical or out-of-range spelling', () => {
    for (const bad of [
      'tile/0/67', // leading zeros missing
      'tile/0/0067',
      'tile/0/x000/067', // a leading zero group
      'tile/0/001/234', // x missing
      'tile/0/x001/x234', // last element with x
      'tile/0/x1/234',
      'tile/00/067', // level with a leading zero
      'tile/64/000', // level above 63
      'tile/0/000.p/0', // width 0
      'tile/0/000.p/256', // a full tile has no suffix
      'tile/0/000.p/300',
      'tile/0/000.p/012',
      'tile/0/000.p/',
      'tile/0/000.p',
      'tile/0/000/',
      '/tile/0/000',
      'tile/0/000 ',
      'tile/entries/67',
      'tile/entries/000.p/256',
      'tile/entries/x000/001',
      'tile/data/000',
      'tile/-1/000',
      'tile/0/x009/x007/x199/x254/x740/x993/000', // beyond 2^53
      '',
    ]) {
      expect(parseTilePath(bad), bad).toBeNull();
    }
  });
});

describe('C2SP tlog-tiles geometry', () => {
  it('lists the tiles the spec example names for a tree of 70,000', () => {
    const tiles = newTiles(0, 70_000);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(tiles.filter((t) => !(t.level === 0 && t.width === 256))).toEqual([
      { level: 0, index: 273, width: 112 },
      { level: 1, index: 0, width: 256 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
    expect(newTiles(0, 256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(newTiles(300, 300)).toEqual([]);
    expect(newTiles(300, 301)).toEqual([{ level: 0, index: 1, width: 45 }]);
    expect(newTiles(511, 512)).toEqual([
      { level: 0, index: 1, width: 256 },
      { level: 1, index: 0, width: 2 },
    ]);
  });

  it('names tree nodes whose hashes appendLeaves reports, exactly for tiles inside the tree', async () => {
    const leaves = Array.from({ length: 70_000 }, (_, i) => {
      const h = new Uint8Array(32);
      new DataView(h.buffer).setUint32(0, i);
      return h;
    });
    const { nodes } = await appendLeaves(emptyCompactRange, leaves, inThreadHasher);
    const stored = new Set(nodes.map((n) => `${n.level}:${n.index}`));
    for (const tile of newTiles(0, 70_000)) {
      expect(tileInTree(tile, 70_000)).toBe(true);
      expect(tileNodes(tile).every((n) => stored.has(`${n.level}:${n.index}`))).toBe(true);
    }
    expect(tileNodes({ level: 1, index: 1, width: 2 })).toEqual([
      { level: 8, index: 256 },
      { level: 8, index: 257 },
    ]);
    expect(tileInTree({ level: 1, index: 1, width: 18 }, 70_000)).toBe(false);
    expect(tileInTree({ level: 0, index: 273, width: 113 }, 70_000)).toBe(false);
    expect(tileInTree({ level: 2, index: 0, width: 1 }, 65_535)).toBe(false);
  });
});

describe('C2SP tlog-tiles entry bundles', () => {
  it('round-trip uint16-length-prefixed entries', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 20 }), (entries) => {
        expect(decodeEntryBundle(encodeEntryBundle(entries))).toEqual(entries);
      }),
    );
    expect(encodeEntryBundle([Uint8Array.of(7), new Uint8Array(0)])).toEqual(Uint8Array.of(0, 1, 7, 0, 0));
    expect(decodeEntryBundle(encodeEntryBundle([new Uint8Array(MAX_ENTRY_SIZE)]))[0]).toHaveLength(MAX_ENTRY_SIZE);
  });

  it('refuses entries over 65,535 bytes and truncated bundles', () => {
    expect(() => encodeEntryBundle([new Uint8Array(65_536)])).toThrow(RangeError);
    expect(() => decodeEntryBundle(Uint8Array.of(0))).toThrow(RangeError);
    expect(() => decodeEntryBundle(Uint8Array.of(0, 3, 1, 2))).toThrow(RangeError);
  });
});
