/**
 * A string as a PostgreSQL literal, exactly as `pg.escapeLiteral` writes it: quotes doubled,
 * and when there is a backslash, backslashes doubled inside an `E'…'` string (with pg's
 * leading space). pg's version builds the result a character at a time; on the append path
 * (an event batch's JSON on every append) that was ~1.9 KB of garbage per delivery and a
 * share of the collector's pauses at 4,000 deliveries/s (bench/output, 2026-12-05).
 * `sql-literal.test.ts` holds it to pg's output.
 */
export function sqlLiteral(str: string): string {
  const quoted = str.includes("'") ? str.replaceAll("'", "''") : str;
  return str.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
