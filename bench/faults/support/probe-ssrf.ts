import type pg from 'pg';
import { createSubscription, sendControl } from './relay-fixtures.js';
import { until } from './wait.js';

/** A webhook target the SSRF guard must refuse. */
export interface SsrfTarget {
  label: string;
  url: string;
  allowLocalNetwork: boolean;
}

/**
 * Targets at loopback (several spellings), link-local and cloud metadata addresses. The
 * loopback ones point at a live receiver, so a guard that failed would be seen receiving;
 * the others are refused before any connection (the guard checks the dialled address).
 */
export function ssrfTargets(receiverPort: number): SsrfTarget[] {
  const p = receiverPort;
  return [
    { label: 'loopback 127.0.0.1', url: `http://127.0.0.1:${p}/hook/ssrf`, allowLocalNetwork: false },
    { label: 'loopback localhost', url: `http://localhost:${p}/hook/ssrf`, allowLocalNetwork: false },
    { label: 'loopback [::1]', url: `http://[::1]:${p}/hook/ssrf`, allowLocalNetwork: false },
    {
      label: 'loopback v4-mapped',
      url: `http://[::ffff:127.0.0.1]:${p}/hook/ssrf`,
      allowLocalNetwork: false,
    },
    { label: 'loopback 127.1', url: `http://127.1:${p}/hook/ssrf`, allowLocalNetwork: false },
    { label: 'unspecified 0.0.0.0', url: `http://0.0.0.0:${p}/hook/ssrf`, allowLocalNetwork: false },
    { label: 'link-local 169.254.10.10', url: 'http://169.254.10.10/hook', allowLocalNetwork: false },
    { label: 'link-local [fe80::1]', url: 'http://[fe80::1]/hook', allowLocalNetwork: false },
    {
      label: 'metadata 169.254.169.254',
      url: 'http://169.254.169.254/latest/meta-data/',
      allowLocalNetwork: false,
    },
    {
      label: 'metadata, local network allowed',
      url: 'http://169.254.169.254/latest/meta-data/',
      allowLocalNetwork: true,
    },
    {
      label: 'metadata fd00:ec2::254',
      url: 'http://[fd00:ec2::254]/latest/meta-data/',
      allowLocalNetwork: true,
    },
  ];
}

/** The first attempt of each target's test delivery: refused (no status, an error) or not. */
export interface SsrfOutcome {
  label: string;
  refused: boolean;
  detail: string;
}

/** Creates one subscription per target, sends each a test event and reads its first attempt. */
export async function probeSsrf(
  pool: pg.Pool,
  encryptionKey: Buffer,
  targets: SsrfTarget[],
): Promise<SsrfOutcome[]> {
  const subs = [];
  for (const t of targets) {
    const sub = await createSubscription(pool, encryptionKey, {
      url: t.url,
      allowLocalNetwork: t.allowLocalNetwork,
    });
    await sendControl(pool, 'send-test', { subscriptionId: sub.id });
    subs.push({ t, id: sub.id });
  }
  const out: SsrfOutcome[] = [];
  for (const { t, id } of subs) {
    const a = await until(
      async () =>
        (
          await pool.query<{ status_code: number | null; error: string | null }>(
            `SELECT a.status_code, a.error FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1 ORDER BY a.id LIMIT 1`,
            [id],
          )
        ).rows[0],
      30_000,
      `first attempt to ${t.label}`,
    );
    out.push({
      label: t.label,
      refused: a.status_code === null && /refused to connect/.test(a.error ?? ''),
      detail: a.status_code === null ? (a.error ?? '') : `HTTP ${a.status_code}`,
    });
  }
  return out;
}
