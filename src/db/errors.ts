/** PostgreSQL unique_violation (23505) on the named constraint, from either driver. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; constraint_name?: string; message?: string };
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || e.constraint_name === constraint || Boolean(e.message?.includes(constraint));
}

/**
 * A deadlock (40P01) or serialization failure (40001): PostgreSQL rolled the whole transaction back,
 * so nothing was written and the same request may simply run again.
 */
export function isTransactionConflict(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  return code === '40P01' || code === '40001';
}

/** PostgreSQL exclusion_violation (23P01): a row overlaps another under an EXCLUDE constraint. */
export function isExclusionViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return (e?.code ?? e?.cause?.code) === '23P01';
}
