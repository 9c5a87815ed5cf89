/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `fn` every `everyMs` until it returns a truthy value; throws after `timeoutMs` naming
 * `what`. Every wait in the suite goes through here, so each one is bounded in time.
 */
export async function until<T>(
  fn: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Like {@link until} but returns false instead of throwing. */
export async function eventually(
  fn: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  try {
    await until(fn, timeoutMs, 'condition', everyMs);
    return true;
  } catch {
    return false;
  }
}
