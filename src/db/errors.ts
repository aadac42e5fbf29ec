/** PostgreSQL unique_violation (23505) on the named constraint, from either driver. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; constraint_name?: string; message?: string };
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || e.constraint_name === constraint || Boolean(e.message?.includes(constraint));
}
