import { sql } from 'kysely';
import type { Db, Queryable } from '../../db/database.js';
import { toUnsigned64 } from './results.repo.js';
import {
  BAND_BITS,
  BANDS,
  bandRadii,
  findSimilarHashes,
  type HashAlgorithm,
  type SimilarHash,
  type SimilarityQuery,
  validateSimilarityQuery,
  valuesWithin,
} from './similarity.js';

/** How a near-duplicate search is answered: by the database's band indexes or by a process's memory. */
export interface SimilaritySearch {
  find(db: Queryable, q: SimilarityQuery): Promise<SimilarHash[]>;
}

/** The band indexes of PostgreSQL / PGlite (similarity.ts): what Workers and tests use. */
export const databaseSimilaritySearch: SimilaritySearch = { find: findSimilarHashes };

const BAND_VALUES = 1 << BAND_BITS;

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** The 16-bit masks of weight ≤ radius: band value v's neighbours within the radius are v ^ mask. */
const masksWithin = Array.from({ length: BAND_BITS + 1 }, (_, radius) => Uint16Array.from(valuesWithin(0, radius)));

/**
 * The hashes of one algorithm: the same multi-index hashing as the database's (similarity.ts; four
 * 16-bit bands, probe radii from bandRadii), over typed arrays. Band i's bucket of value v is
 * positions offsets[i][v] … offsets[i][v+1] of ids[i] (which hash), his[i] and los[i] (its two
 * 32-bit halves), built by a counting sort over the first `indexed` hashes; hashes added since are
 * checked one by one until there are enough to rebuild. A bucket carries its hashes, as the
 * database's index tuples do, so checking a candidate reads memory in order rather than at random
 * (which had made a search ten times slower).
 */
class HashTable {
  constructor(private readonly unindexedLimit: number) {}
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  uploadIds: string[] = [];
  size = 0;
  private indexed = 0;
  private offsets: Uint32Array[] = [];
  private ids: Uint32Array[] = [];
  private his: Uint32Array[] = [];
  private los: Uint32Array[] = [];

  add(uploadId: string, hash: bigint) {
    if (this.size === this.hi.length) {
      for (const key of ['hi', 'lo'] as const) {
        const grown = new Uint32Array(this.size * 2);
        grown.set(this[key]);
        this[key] = grown;
      }
    }
    const u = toUnsigned64(hash);
    this.hi[this.size] = Number(u >> 32n);
    this.lo[this.size] = Number(u & 0xffffffffn);
    this.uploadIds.push(uploadId);
    this.size++;
    // Rebuilding costs a pass over every hash; checking the unindexed ones costs each search a pass
    // over them: rebuild once they are a sixty-fourth of the table (and past unindexedLimit).
    if (this.size - this.indexed > this.unindexedLimit + this.indexed / 64) this.rebuild();
  }

  rebuild() {
    for (let band = 0; band < BANDS; band++) {
      const offsets = new Uint32Array(BAND_VALUES + 1);
      for (let i = 0; i < this.size; i++) offsets[this.band(i, band) + 1]!++;
      for (let v = 0; v < BAND_VALUES; v++) offsets[v + 1]! += offsets[v]!;
      const fill = offsets.slice(0, BAND_VALUES);
      const ids = new Uint32Array(this.size);
      const his = new Uint32Array(this.size);
      const los = new Uint32Array(this.size);
      for (let i = 0; i < this.size; i++) {
        const k = fill[this.band(i, band)]!++;
        ids[k] = i;
        his[k] = this.hi[i]!;
        los[k] = this.lo[i]!;
      }
      this.offsets[band] = offsets;
      this.ids[band] = ids;
      this.his[band] = his;
      this.los[band] = los;
    }
    this.indexed = this.size;
  }

  private band(i: number, band: number): number {
    const word = band < 2 ? this.hi[i]! : this.lo[i]!;
    return band % 2 === 0 ? word >>> 16 : word & 0xffff;
  }

  /** The hashes within `threshold` of `hash` (by position), each once, with their distances. */
  search(hash: bigint, threshold: number): Map<number, number> {
    const u = toUnsigned64(hash);
    const qhi = Number(u >> 32n);
    const qlo = Number(u & 0xffffffffn);
    // A hash within the threshold may be found in several bands: the map keeps it once.
    const found = new Map<number, number>();
    if (this.indexed) {
      const radii = bandRadii(threshold);
      for (let band = 0; band < BANDS; band++) {
        const value = band < 2 ? (band === 0 ? qhi >>> 16 : qhi & 0xffff) : band === 2 ? qlo >>> 16 : qlo & 0xffff;
        const offsets = this.offsets[band]!;
        const ids = this.ids[band]!;
        const his = this.his[band]!;
        const los = this.los[band]!;
        for (const mask of masksWithin[radii[band]!]!) {
          const v = value ^ mask;
          for (let k = offsets[v]!, end = offsets[v + 1]!; k < end; k++) {
            const distance = popcount32(his[k]! ^ qhi) + popcount32(los[k]! ^ qlo);
            if (distance <= threshold) found.set(ids[k]!, distance);
          }
        }
      }
    }
    for (let i = this.indexed; i < this.size; i++) {
      const distance = popcount32(this.hi[i]! ^ qhi) + popcount32(this.lo[i]! ^ qlo);
      if (distance <= threshold) found.set(i, distance);
    }
    return found;
  }
}

interface HashRow {
  upload_id: string | null;
  algorithm: HashAlgorithm | null;
  hash: bigint | null;
  xid: string | null;
}

/**
 * Near-duplicate search from memory, for a long-running Node process: PostgreSQL (media_hashes)
 * stays the source of truth; the process loads it once (`load`), and before every search reads
 * the rows added since its last read, so a search sees every hash its database connection sees.
 *
 * "Added since" is by transaction id (schema/0023_similarity_changes.sql): each read takes the rows
 * of transactions at or after the horizon it last recorded, and records as the new horizon the
 * oldest transaction its own snapshot still saw running. Every transaction older than that horizon
 * had finished when the read ran, so its rows were read then or before; a row read twice (its
 * transaction is past the horizon both times) is recognised by `recent` and kept once.
 *
 * Until `load` finishes, searches go to the database's band indexes.
 */
export class MemorySimilarityIndex implements SimilaritySearch {
  private tables: Record<HashAlgorithm, HashTable>;
  private horizon: bigint | null = null;
  /** Rows at or past the oldest horizon a read in flight started from: the ones a read may return again. */
  private recent = new Map<string, bigint>();
  private readsInFlight: bigint[] = [];

  /** `unindexedLimit`: hashes added since the last rebuild that searches check one by one (tests lower it). */
  constructor(opts: { unindexedLimit?: number } = {}) {
    const limit = opts.unindexedLimit ?? 4096;
    this.tables = { dhash: new HashTable(limit), phash: new HashTable(limit) };
  }

  get ready(): boolean {
    return this.horizon !== null;
  }

  get size(): number {
    return this.tables.dhash.size + this.tables.phash.size;
  }

  /** Reads every hash, in pages, from one snapshot (a repeatable-read transaction). */
  async load(db: Db, pageSize = 50_000): Promise<void> {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        // The first statement takes the snapshot every page is read from.
        const { rows: snapshot } = await sql<{ horizon: string }>`
          select pg_snapshot_xmin(pg_current_snapshot())::text as horizon`.execute(trx);
        const horizon = BigInt(snapshot[0]!.horizon);
        // Pages in primary-key order, each read by the key's index from where the last one ended.
        let after: { algorithm: string; uploadId: string } | null = null;
        for (;;) {
          const { rows }: { rows: HashRow[] } = await sql<HashRow>`
            select h.upload_id, h.algorithm, h.hash, h.xid::text as xid
            from media_hashes h
            ${after ? sql`where (h.upload_id, h.algorithm) > (${after.uploadId}, ${after.algorithm})` : sql``}
            order by h.upload_id, h.algorithm
            limit ${pageSize}`.execute(trx);
          for (const row of rows) this.addRow(row, horizon);
          if (rows.length < pageSize) break;
          const last: HashRow = rows.at(-1)!;
          after = { algorithm: last.algorithm!, uploadId: last.upload_id! };
        }
        for (const table of Object.values(this.tables)) table.rebuild();
        this.horizon = horizon;
      });
  }

  /** Reads the rows added since the last read, through `db` (a transaction sees its own snapshot). */
  async catchUp(db: Queryable): Promise<void> {
    const from = this.horizon;
    if (from === null) throw new Error('the similarity index is not loaded');
    this.readsInFlight.push(from);
    try {
      // A literal, not a parameter: the number comes from the database and saves a describe round trip.
      const { rows } = await sql<HashRow & { horizon: string }>`
        select h.upload_id, h.algorithm, h.hash, h.xid::text as xid, s.horizon::text as horizon
        from (select pg_snapshot_xmin(pg_current_snapshot()) as horizon) s
        left join media_hashes h on h.xid >= ${sql.lit(from.toString())}::xid8`.execute(db);
      const horizon = BigInt(rows[0]!.horizon);
      for (const row of rows) if (row.upload_id !== null) this.addRow(row, from);
      if (horizon > this.horizon!) this.horizon = horizon;
    } finally {
      this.readsInFlight.splice(this.readsInFlight.indexOf(from), 1);
    }
    let oldest = this.horizon!;
    for (const f of this.readsInFlight) if (f < oldest) oldest = f;
    for (const [key, xid] of this.recent) if (xid < oldest) this.recent.delete(key);
  }

  private addRow(row: HashRow, horizon: bigint) {
    const xid = BigInt(row.xid!);
    if (xid >= horizon) {
      const key = `${row.algorithm}|${row.upload_id}`;
      if (this.recent.has(key)) return;
      this.recent.set(key, xid);
    }
    this.tables[row.algorithm!].add(row.upload_id!, BigInt(row.hash!));
  }

  /** What findSimilarHashes answers (same order and limit), from memory once loaded. */
  async find(db: Queryable, q: SimilarityQuery): Promise<SimilarHash[]> {
    validateSimilarityQuery(q);
    if (!this.ready) return findSimilarHashes(db, q);
    await this.catchUp(db);
    return this.search(q);
  }

  /** The search itself, without reading what is new: synchronous, so no row arrives midway. */
  search(q: SimilarityQuery): SimilarHash[] {
    validateSimilarityQuery(q);
    const table = this.tables[q.algorithm];
    return [...table.search(q.hash, q.threshold)]
      .map(([at, distance]) => ({ uploadId: table.uploadIds[at]!, distance }))
      .sort((a, b) => a.distance - b.distance || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0))
      .slice(0, q.limit ?? 100);
  }
}
