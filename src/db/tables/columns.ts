import type { ColumnType } from 'kysely';

/** Timestamps are written as Date and read back as Date by both drivers. */
export type Timestamp = ColumnType<Date, Date, Date>;
/** int8 columns are read as bigint (both drivers are configured for it). */
export type Int8 = ColumnType<bigint, bigint | number, bigint | number>;
