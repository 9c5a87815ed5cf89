import bcrypt from 'bcrypt';

/** What a bcrypt(12) compare costs, in ms: a running average of the real ones (starts at 250). */
let typicalMs = 250;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Compares a password with a user's bcrypt hash. For an unknown account (no hash) it runs no
 * bcrypt at all: it waits as long as a real compare takes lately (±10 %), so the answer time
 * does not tell whether the account exists, and a flood of random emails costs timers, not CPU.
 */
export async function checkPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    await sleep(typicalMs * (0.9 + Math.random() * 0.2));
    return false;
  }
  const started = performance.now();
  const ok = await bcrypt.compare(password, hash);
  typicalMs = typicalMs * 0.8 + (performance.now() - started) * 0.2;
  return ok;
}
