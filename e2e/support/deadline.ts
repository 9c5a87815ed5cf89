/**
 * Polls `check` until it returns true and reports how long that took, in ms from `since`;
 * throws naming `what` when `timeoutMs` passes first. For latency figures the tests print.
 */
export async function measureUntil(
  what: string,
  check: () => Promise<boolean>,
  {
    since = Date.now(),
    timeoutMs = 20_000,
    everyMs = 25,
  }: { since?: number; timeoutMs?: number; everyMs?: number } = {},
): Promise<number> {
  const end = since + timeoutMs;
  for (;;) {
    if (await check()) return Date.now() - since;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
