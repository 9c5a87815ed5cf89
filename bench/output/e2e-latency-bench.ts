import { generateWebhookSecret } from '@3cx-relay/events';
import type { PgCluster } from '@3cx-relay/pg-cluster';
import { startLab } from '../faults/support/lab.js';
import { createSubscription } from '../faults/support/relay-fixtures.js';
import { until } from '../faults/support/wait.js';
import { Child } from './support/child.js';
import { fmt, percentile } from './support/stats.js';
import type { Row } from './support/table.js';

/** The worker as installed, except what a benchmark must not wait for. */
const PRODUCTION_DELIVERY_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  DELIVERY_TIMEOUT_MS: '15000',
  DELIVERY_LEASE_MS: '120000',
  DELIVERY_POLL_MS: '1000',
  DELIVERY_RETRY_SCHEDULE: '5s,5m,30m,2h,5h,10h,10h',
  DELIVERY_RETRY_JITTER: '0.2',
};

/** `BENCH_E2E_RATES=100`: only these rates (comma-separated new calls per second). */
function envRates(): number[] | undefined {
  const rates = process.env.BENCH_E2E_RATES?.split(',').map(Number);
  return rates?.every((r) => r > 0) ? rates : undefined;
}

/**
 * What a screen-pop user feels: a Call Control Upsert frame leaving the simulator (the first
 * for a participant of a call on a DN) until the signed `call.ringing` for that call and DN is
 * verified at a loopback receiver in another process. The real worker process in between: its
 * Call Control client GETs the participant, derives the event, appends it with its outbox row
 * and sends it. At `rates` new calls per second from the simulator's load mix, each for 10 s
 * (`BENCH_E2E_SECONDS` to run longer: the p99 of 10 s is about its 17th slowest ring).
 */
export async function benchEndToEnd(
  cluster: PgCluster,
  opts: { seconds: number; fsync: boolean; rates?: number[] },
): Promise<Row[]> {
  const rows: Row[] = [];
  const { child: rx, ready } = await Child.start<{ port: number }>('signed-receiver.ts');
  const lab = await startLab({
    pgUrl: cluster.url(),
    tag: 'e2e',
    sim: { timeScale: 0.05 },
    workerEnv: PRODUCTION_DELIVERY_ENV,
  });
  // The first frame of each participant, by (callId, DN): a DN rings again for the same call as a
  // new participant (a queue or ring group ringing its agents again), and each of those rings is
  // its own call.ringing, to be timed from its own frame, not the call's first.
  const frames = new Map<string, number[]>();
  const seen = new Set<string>();
  const off = lab.sim.onCallControlFrame((f) => {
    if (f.eventType !== 0 || !f.callId) return;
    const participant = `${f.callId}|${f.dn}|${f.participantId}`;
    if (seen.has(participant)) return;
    seen.add(participant);
    const key = `${f.callId}|${f.dn}`;
    const list = frames.get(key);
    if (list) list.push(f.at);
    else frames.set(key, [f.at]);
  });
  /** The frame a receipt answers: the newest first frame of its (callId, DN) at or before its ringingAt (ms, rounded down). */
  const frameOf = (r: { key: string; ringingAt: number }) => {
    let best: number | undefined;
    for (const at of frames.get(r.key) ?? [])
      if (at <= r.ringingAt + 1 && (best === undefined || at > best)) best = at;
    return best;
  };
  try {
    const secret = generateWebhookSecret();
    await rx.call('configure', { secret });
    await createSubscription(lab.pool, lab.encryptionKey, {
      url: `http://127.0.0.1:${ready.port}/hook`,
      eventTypes: ['call.ringing'],
      secret,
    });
    await lab.worker.start();
    await until(() => lab.sim.state().wsConnections > 0, 30_000, 'Call Control connected');
    for (const rate of opts.rates ?? envRates() ?? [10, 100]) {
      process.stderr.write(`[bench] end to end, ${rate} new calls/s…\n`);
      frames.clear();
      seen.clear();
      await rx.call('take');
      // counted from the database's own clock at the start (a window back from the end missed
      // the first rings of a run whenever the end's queries took a moment: 1,664 of 1,666)
      const since = (await lab.pool.query<{ t: Date }>('SELECT now() AS t')).rows[0]!.t;
      const secs = Number(process.env.BENCH_E2E_SECONDS) || Math.max(5, Math.min(opts.seconds * 2, 10));
      lab.sim.setLoadRate(rate);
      await new Promise((r) => setTimeout(r, secs * 1000));
      lab.sim.setLoadRate(0);
      await new Promise((r) => setTimeout(r, 3000)); // the last calls' events
      const { receipts, badSignatures } = await rx.call<{
        receipts: { key: string; at: number; ringingAt: number }[];
        badSignatures: number;
      }>('take');
      const stored = await lab.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE type = 'call.ringing' AND created_at >= $1`,
        [since],
      );
      const lat = receipts.flatMap((r) => {
        const sent = frameOf(r);
        return sent === undefined ? [] : [r.at - sent];
      });
      rows.push({
        group: 'end to end',
        what: `Call Control frame → signed call.ringing at a receiver, ${rate} new calls/s (fsync ${opts.fsync ? 'on' : 'off'})`,
        value: `p50 ${fmt.ms(percentile(lat, 50))}, p99 ${fmt.ms(percentile(lat, 99))}`,
        detail: `${fmt.int(lat.length)} call.ringing over ${secs} s (${fmt.int(seen.size)} participants upserted, ${fmt.int(stored.rows[0]!.n)} call.ringing stored, ${receipts.length - lat.length} without a frame seen, ${badSignatures} bad signatures); max ${fmt.ms(percentile(lat, 100))}`,
      });
    }
  } finally {
    off();
    await lab.stop();
    await rx.stop();
  }
  return rows;
}
