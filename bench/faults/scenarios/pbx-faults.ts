import type pg from 'pg';
import { driveCalls, type DrivenCalls } from '../support/calls.js';
import { startLab, type Lab } from '../support/lab.js';
import { byScale, Findings, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { eventsStable, simQuiet } from '../support/settle.js';
import { eventually, sleep } from '../support/wait.js';

/**
 * Call ids of `calls` with no `call.ended` in the relay's store (`missed`), and with more than
 * one (`duplicated`: a call ended early, then again).
 */
async function endsOf(
  pool: pg.Pool,
  calls: DrivenCalls,
): Promise<{ missed: string[]; duplicated: string[] }> {
  const res = await pool.query<{ call_id: string; n: number }>(
    `SELECT call_id, count(*)::int AS n FROM events WHERE type = 'call.ended' AND call_id = ANY($1) GROUP BY call_id`,
    [calls.callIds],
  );
  const ended = new Map(res.rows.map((r) => [r.call_id, r.n]));
  return {
    missed: calls.callIds.filter((id) => !ended.has(id)),
    duplicated: res.rows.filter((r) => r.n > 1).map((r) => r.call_id),
  };
}

/**
 * Waits for the relay to settle after the last fault: every call has its call.ended (bounded:
 * a call still missing one after `timeoutMs` is reported as missed), then the event log stays
 * still for 2 s so that a late second call.ended would show as a duplicate. Waits for the
 * condition, not a fixed time: on a loaded machine the last reconnect and its snapshot take
 * longer than the end grace.
 */
async function settledEnds(
  pool: pg.Pool,
  calls: DrivenCalls,
  timeoutMs = 60_000,
): Promise<{ missed: string[]; duplicated: string[] }> {
  await eventually(async () => (await endsOf(pool, calls)).missed.length === 0, timeoutMs);
  await eventsStable(pool, 2000, timeoutMs).catch(() => undefined);
  return endsOf(pool, calls);
}

/** Status of one component in `/relay/health`, or 'no answer'. */
async function componentStatus(lab: Lab, name: string): Promise<string> {
  return (await lab.worker.health())?.components[name]?.status ?? 'no answer';
}

/** Runs calls (2 at a time) while `fault` acts every `everyMs` until they end; returns the fault count. */
async function callsUnder(
  lab: Lab,
  count: number,
  everyMs: number,
  fault: () => Promise<unknown>,
): Promise<{ calls: DrivenCalls; faults: number }> {
  let done = false;
  let faults = 0;
  const driver = driveCalls(lab.sim, count, 2, 300_000).finally(() => (done = true));
  while (!done && faults < 1000) {
    await Promise.race([sleep(everyMs), driver]);
    if (done) break;
    await fault();
    faults++;
  }
  return { calls: await driver, faults };
}

/** WebSocket dropped every few seconds during a run of calls: no call.ended may go missing. */
async function wsDrops(lab: Lab, f: Findings, calls: number, everyMs: number): Promise<void> {
  const r = await callsUnder(lab, calls, everyMs, () => lab.sim.faults.set({ dropWebSockets: true }));
  await simQuiet(lab.sim, 60_000);
  const { missed, duplicated } = await settledEnds(lab.pool, r.calls);
  f.figure('WS drops', `${r.faults} over ${r.calls.callIds.length} calls`);
  f.figure('missed call.ended', missed.length);
  f.figure('duplicated call.ended', duplicated.length);
  f.check(
    'WS dropped every few s: 0 missed, 0 duplicated call.ended',
    missed.length === 0 && duplicated.length === 0 && r.faults >= 3 && r.calls.callIds.length > 0,
    `${r.faults} drops, missed: ${missed.slice(0, 5).join(',')}, duplicated: ${duplicated.slice(0, 5).join(',')}`,
  );
}

/** Token revoked mid-stream, then the socket dropped: the worker must fetch a new token. */
async function tokenRevoked(lab: Lab, f: Findings, calls: number): Promise<void> {
  const driver = driveCalls(lab.sim, calls, 2, 300_000);
  await sleep(300);
  await lab.sim.faults.set({ revokeTokens: true }); // the open socket stays up; REST calls now get 401
  await sleep(700);
  await lab.sim.faults.set({ dropWebSockets: true }); // the reconnect presents the revoked token first
  const r = await driver;
  await simQuiet(lab.sim, 60_000);
  const up = await eventually(async () => (await componentStatus(lab, 'callcontrol')) === 'up', 20_000);
  const { missed, duplicated } = await settledEnds(lab.pool, r);
  f.figure(
    'token revoked',
    `callcontrol ${up ? 'up again' : 'not up'}, ${missed.length}/${r.callIds.length} missed, ${duplicated.length} duplicated call.ended`,
  );
  f.check(
    'token revoked mid-stream: recovered, 0 missed, 0 duplicated call.ended',
    up && missed.length === 0 && duplicated.length === 0 && r.callIds.length > 0,
    `${missed.length} missed, ${duplicated.length} duplicated`,
  );
}

/** XAPI answering 500, then slowly: health degraded, no crash, back to up after. */
async function xapiFaults(lab: Lab, f: Findings, slowMs: number): Promise<void> {
  await lab.sim.faults.set({ httpErrors: [{ pathPrefix: '/xapi', status: 500 }] });
  const degraded = await eventually(
    async () =>
      (await lab.worker.health())?.status === 'degraded' && (await componentStatus(lab, 'xapi')) !== 'up',
    20_000,
  );
  await lab.sim.faults.clear();
  const back500 = await eventually(async () => (await componentStatus(lab, 'xapi')) === 'up', 20_000);
  await lab.sim.faults.set({ delayMs: slowMs, delayPathPrefix: '/xapi' });
  // A probe makes two XAPI requests, each slowMs late, before it can judge the latency.
  const slowDegraded = await eventually(
    async () => (await componentStatus(lab, 'xapi')) === 'degraded',
    2 * slowMs + 15_000,
  );
  const slowStatus = await componentStatus(lab, 'xapi');
  const answering = await lab.worker.healthy();
  await lab.sim.faults.clear();
  const backSlow = await eventually(async () => (await componentStatus(lab, 'xapi')) === 'up', 30_000);
  f.figure('XAPI 500', `${degraded ? 'degraded' : 'not degraded'} → ${back500 ? 'up' : 'not up'}`);
  f.figure(
    `XAPI +${slowMs} ms`,
    `xapi ${slowStatus}, health ${answering ? 'answering' : 'silent'} → ${backSlow ? 'up' : 'not up'}`,
  );
  f.check('XAPI 500s: health degraded, then recovered', degraded && back500);
  f.check(
    'XAPI slow: health degraded, worker answers, then recovered',
    slowDegraded && answering && backSlow && lab.worker.running,
  );
}

/**
 * 3CX's database stopped (`dbDown`) or hung (`dbStall`: a lock makes every query wait until the
 * worker's statement timeout) while calls finish: the CDR stream resumes with no gap and no
 * duplicate.
 */
async function dbOutage(
  lab: Lab,
  f: Findings,
  fault: 'dbDown' | 'dbStall',
  downMs: number,
  calls: number,
): Promise<void> {
  const driver = driveCalls(lab.sim, calls, 3, 300_000);
  await sleep(500);
  await lab.sim.faults.set({ [fault]: true });
  const sawDown = await eventually(
    async () => (await componentStatus(lab, 'db3cx')) === 'down',
    downMs + 10_000,
  );
  await sleep(Math.max(0, downMs - 1000));
  await lab.sim.faults.set({ [fault]: false });
  await driver;
  await simQuiet(lab.sim, 60_000);
  const up = await eventually(async () => (await componentStatus(lab, 'db3cx')) === 'up', 30_000);
  await eventsStable(lab.pool, 4000, 60_000);
  const pbx = await lab.pbxCdrIds();
  const res = await lab.pool.query<{ cdr: string; n: number }>(
    `SELECT data->>'cdrId' AS cdr, count(*)::int AS n FROM events WHERE type = 'cdr.created' GROUP BY 1`,
  );
  const relay = new Map(res.rows.map((r) => [r.cdr, r.n]));
  const gap = pbx.filter((id) => !relay.has(id)).length;
  const dup = res.rows.filter((r) => r.n > 1).length;
  const what = fault === 'dbDown' ? 'stopped' : 'hung';
  f.figure(
    `3CX DB ${what} ${Math.round(downMs / 1000)} s`,
    `db3cx ${sawDown ? 'down' : 'never down'} → ${up ? 'up' : 'not up'}; CDRs 3CX/relay ${pbx.length}/${relay.size}, gap ${gap}, dup ${dup}`,
  );
  f.check(
    `3CX DB ${what}: CDR stream resumes with no gap, no duplicate`,
    sawDown && up && gap === 0 && dup === 0 && pbx.length > 0,
    `gap ${gap}, dup ${dup}`,
  );
}

/**
 * PBX faults against a running worker: Call Control WebSocket dropped every few seconds
 * during a run of calls, the API token revoked mid-stream, XAPI 500s and slow answers, and
 * 3CX's database stopped, then hung, while calls finish. The PBX enforces `$top` ≤ 100 and the
 * API client monitors IVR 600 and queue 800, as on the real systems of the field review.
 */
export const pbxFaults: Scenario = {
  name: 'pbx-faults',
  title: 'WS drops, token revoked, XAPI 500/slow, 3CX DB stopped and hung (maxTop 100, queue/IVR monitored)',
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const s = ctx.scale;
    const lab = await startLab({
      pgUrl: ctx.pgUrl,
      tag: 'pbx',
      // As real V20 systems: XAPI refuses $top > 100, and the API client also monitors the IVR
      // and the queue, whose legs show Connected while the caller waits (not an answer).
      sim: {
        timeScale: byScale(s, { full: 0.05, quick: 0.04, test: 0.03 }),
        maxTop: 100,
        monitorQueueIvr: true,
      },
      // A hung 3CX database is noticed after this long (the default is 10 s).
      workerEnv: { PBX_DB_STATEMENT_TIMEOUT_MS: '1000' },
    });
    try {
      await lab.worker.start();
      await wsDrops(
        lab,
        f,
        byScale(s, { full: 100, quick: 40, test: 16 }),
        byScale(s, { full: 5000, quick: 3000, test: 1000 }),
      );
      await tokenRevoked(lab, f, byScale(s, { full: 12, quick: 8, test: 6 }));
      await xapiFaults(lab, f, byScale(s, { full: 8000, quick: 5000, test: 3000 }));
      await dbOutage(
        lab,
        f,
        'dbDown',
        byScale(s, { full: 30_000, quick: 10_000, test: 4000 }),
        byScale(s, { full: 20, quick: 10, test: 6 }),
      );
      await dbOutage(
        lab,
        f,
        'dbStall',
        byScale(s, { full: 15_000, quick: 6000, test: 3000 }),
        byScale(s, { full: 10, quick: 6, test: 4 }),
      );
      f.check(
        'worker never exited on its own',
        lab.worker.unexpectedExits.length === 0,
        JSON.stringify(lab.worker.unexpectedExits),
      );
    } catch (err) {
      f.fail('run', err);
    } finally {
      await lab.sim.faults.clear().catch(() => undefined);
      await lab.stop();
    }
    return f.result();
  },
};
