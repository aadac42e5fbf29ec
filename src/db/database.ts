import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Either the pool or an open transaction: for reads that may run inside or outside one. */
export type Queryable = Db | Trx;

/** A database handle plus what it takes to close it. */
export interface DatabaseHandle {
  db: Db;
  /** 'pglite' serialises every query on one connection; 'postgres' is a real pool. */
  flavour: 'pglite' | 'postgres';
  /** Run a multi-statement SQL script in one transaction (migrations). */
  execScript(script: string): Promise<void>;
  close(): Promise<void>;
}
