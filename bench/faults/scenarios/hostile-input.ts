import type { Lab } from '../support/lab.js';
import { startLab } from '../support/lab.js';
import { malformedResponses, responseFlood, type BadResponses } from '../support/bad-responses.js';
import { driveCalls } from '../support/calls.js';
import { garbageFrames, garbageOnPort, restAbuse } from '../support/garbage.js';
import { formatTally, type Tally } from '../support/tally.js';
import { LEVEL } from '../support/log-tally.js';
import { createApiKey } from '../support/relay-fixtures.js';
import { byScale, Findings, mib, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { eventually, sleep } from '../support/wait.js';

const KINDS = ['non-json', 'wrong-shape', 'oversized'] as const;

/**
 * Sends `count` broken Call Control frames (every hundredth 2 MiB), pausing briefly every 50
 * so the socket is not one giant burst. Frames only count when the worker's socket is open.
 */
async function malformedFrames(lab: Lab, count: number): Promise<number> {
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const kind = i % 100 === 99 ? 'oversized' : KINDS[i % 2]!;
    if (lab.sim.state().wsConnections > 0) {
      await lab.sim.faults.set({ malformedFrame: kind });
      sent++;
    }
    if (i % 50 === 49) await sleep(5);
  }
  return sent;
}

/**
 * Broken answers to Call Control REST and XAPI for about `ms` while calls run: first half
 * error statuses, second half 200s with every kind of malformed body (then token garbage).
 */
async function badResponses(lab: Lab, apiKey: string, ms: number): Promise<BadResponses> {
  const driver = driveCalls(lab.sim, 10, 2, 120_000);
  for (const [i, status] of [500, 503, 502, 404].entries()) {
    await lab.sim.faults.set({
      httpErrors: [
        { pathPrefix: '/callcontrol', status },
        { pathPrefix: '/xapi', status: i % 2 ? 500 : 503 },
      ],
    });
    await sleep(ms / 8);
  }
  const bad = await malformedResponses(lab, apiKey, ms / 10);
  await driver;
  return bad;
}

/**
 * Hostile input: thousands of malformed and oversized frames, thousands of 200s with broken
 * bodies (every kind, incl. 8 MiB) to participant GETs, error statuses and broken bodies on
 * every PBX surface (Call Control, XAPI, token) from the simulated PBX, garbage on the worker's HTTP/WebSocket port, broken frames on authenticated
 * fan-out sockets, oversized and malformed REST requests. The worker must not crash, must not
 * answer 5xx, must keep its memory bounded, must log each kind of problem once (not once per
 * occurrence) and must be back to normal afterwards.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  title: 'malformed frames/responses, port garbage, oversized REST',
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const s = ctx.scale;
    // A failed snapshot leaves Call Control 'degraded' until the next periodic reconcile (45 s by
    // default): 5 s here so "back to normal" is judged within the run.
    const lab = await startLab({
      pgUrl: ctx.pgUrl,
      tag: 'hostile',
      workerEnv: { CALLCONTROL_RECONCILE_INTERVAL_MS: '5000' },
    });
    try {
      const key = await createApiKey(lab.pool, ['events:subscribe', 'calls:read', 'history:read']);
      await lab.worker.start();
      await eventually(
        async () => (await lab.worker.health())?.components.callcontrol?.status === 'up',
        20_000,
      );
      await sleep(1000);
      const rssBefore = lab.worker.rssBytes();
      lab.worker.logs.reset();

      const frames = await malformedFrames(lab, byScale(s, { full: 10_000, quick: 3000, test: 600 }));
      const floodTarget = byScale(s, { full: 10_000, quick: 3000, test: 300 });
      const flood = await responseFlood(
        lab,
        floodTarget,
        byScale(s, { full: 90_000, quick: 45_000, test: 60_000 }),
        byScale(s, { full: 250, quick: 150, test: 60 }),
      );
      const bad = await badResponses(lab, key.key, byScale(s, { full: 8000, quick: 4000, test: 2000 }));
      // The token garbage left the XAPI token in its backoff (1 s, 2 s, 4 s …): measure how soon
      // the call-history API answers again, so the REST-abuse phase below meets a healthy XAPI.
      const tx = Date.now();
      const xapiBack = await eventually(
        async () => {
          const res = await fetch(`${lab.worker.url}/relay/call-history?top=1`, {
            headers: { authorization: `Bearer ${key.key}` },
          }).catch(() => undefined);
          await res?.body?.cancel();
          return res?.status === 200;
        },
        45_000,
        500,
      );
      const xapiBackMs = Date.now() - tx;
      const port: Tally = await garbageOnPort(
        Number(lab.worker.env.RELAY_PORT),
        byScale(s, { full: 2000, quick: 500, test: 100 }),
      );
      const wsFrames = await garbageFrames(
        lab.worker.url,
        key.key,
        byScale(s, { full: 300, quick: 60, test: 15 }),
      );
      const rest = await restAbuse(lab.worker.url, key.key, byScale(s, { full: 100, quick: 25, test: 5 }));
      await sleep(3000);
      const rssAfter = lab.worker.rssBytes();
      const t = Date.now();
      const recovered = await eventually(
        async () => (await lab.worker.health())?.components.callcontrol?.status === 'up',
        30_000,
      );
      const upAfterMs = Date.now() - t;
      const after = await driveCalls(lab.sim, 3, 3, 60_000);
      const endedCount = async () =>
        (
          await lab.pool.query(
            `SELECT DISTINCT call_id FROM events WHERE type = 'call.ended' AND call_id = ANY($1)`,
            [after.callIds],
          )
        ).rowCount ?? 0;
      const ended = await eventually(async () => (await endedCount()) === after.callIds.length, 20_000);
      const warnKinds = lab.worker.logs.atLeast(LEVEL.warn);
      const noisiest = [...warnKinds.entries()].sort((a, b) => b[1] - a[1])[0];
      const fiveXX = [...rest.entries()].filter(([k]) => k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
      const growth = rssBefore !== null && rssAfter !== null ? rssAfter - rssBefore : null;

      f.figure('malformed frames', frames);
      f.figure(
        'malformed responses, flood',
        `${flood.total} to ${flood.upserts} repeated Upserts: ${Object.entries(flood.served)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k}×${n}`)
          .join(' ')}`,
      );
      f.figure(
        'malformed responses, per phase (200)',
        Object.entries(bad.served)
          .map(([k, n]) => `${k}×${n}`)
          .join(' '),
      );
      f.figure('call-history API during them', formatTally(bad.history));
      f.figure('call-history answering again within', `${(xapiBackMs / 1000).toFixed(1)} s`);
      f.figure('port garbage', formatTally(port));
      f.figure('WS garbage (close codes)', formatTally(wsFrames));
      f.figure('REST abuse', formatTally(rest));
      f.figure('RSS', `${mib(rssBefore)} → ${mib(rssAfter)}`);
      f.figure('callcontrol up again within', `${(upAfterMs / 1000).toFixed(1)} s`);
      f.figure(
        'warn+ log kinds',
        `${warnKinds.size}, noisiest ${noisiest ? `${noisiest[1]}× "${noisiest[0]}"` : 'none'}`,
      );
      f.check(
        'no crash',
        lab.worker.running && lab.worker.unexpectedExits.length === 0,
        JSON.stringify(lab.worker.unexpectedExits),
      );
      f.check(
        'frames reached the worker',
        frames > byScale(s, { full: 5000, quick: 1500, test: 300 }),
        frames,
      );
      f.check(
        'the flood of broken responses reached the worker',
        flood.total >= floodTarget && Object.values(flood.served).every((n) => n > 0),
        JSON.stringify(flood.served),
      );
      f.check(
        'every malformed-response kind reached the worker',
        Object.values(bad.served).every((n) => n > 0),
        JSON.stringify(bad.served),
      );
      f.check(
        'call-history API answers 502 (not 500, not a reset) to broken XAPI bodies',
        [...bad.history.keys()].every((k) => k.endsWith(':502')),
        formatTally(bad.history),
      );
      const warnKeys = [...warnKinds.keys()].join('\n');
      f.check(
        'malformed and oversized responses were logged',
        // Participant GETs (the flood) log `malformed-response`/`oversized-response`; snapshot and
        // XAPI reads, when one fell into a broken phase, log the parser's or the size cap's words.
        /not JSON|empty body|without|\(malformed-response;/.test(warnKeys) &&
          /more than 4096 KiB|\(oversized-response;/.test(warnKeys),
        [...warnKinds.keys()].filter((k) => /PBX|malformed|KiB/.test(k)).join(' | '),
      );
      f.check(
        'call-history answers again after the token garbage',
        xapiBack,
        `${(xapiBackMs / 1000).toFixed(1)} s`,
      );
      f.check('no 5xx to malformed REST', fiveXX === 0, formatTally(rest));
      f.check(
        'memory bounded (RSS growth < 150 MiB)',
        growth !== null && growth < 150 * 1048576,
        mib(growth),
      );
      f.check(
        'each kind logged a bounded number of times (≤ 5), not per occurrence',
        !noisiest || noisiest[1] <= 5,
        noisiest ? `${noisiest[1]}× ${noisiest[0]}` : '',
      );
      f.check(
        'back to normal: callcontrol up, new calls end',
        recovered && ended && after.callIds.length > 0,
        `callcontrol ${recovered ? 'up' : 'not up'}, ${await endedCount()}/${after.callIds.length} calls ended`,
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
