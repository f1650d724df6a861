/**
 * Whether `err` is SQLite's UNIQUE violation of `column` (`users.email`; any column when omitted). drizzle wraps the
 * error of a single query (the D1 one is its `cause`) but not a batch's, so both are looked at.
 */
export function isUniqueViolation(err: unknown, column = ''): boolean {
  const wanted = `UNIQUE constraint failed: ${column}`;
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e.message.includes(wanted)) return true;
  return String(err).includes(wanted);
}
