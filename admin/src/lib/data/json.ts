/** Makes Prisma rows JSON-safe: BigInt ids become strings, Dates ISO strings. */
export function toJson<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
