import { generateWebhookSecret, isOptInEventType } from '@3cx-relay/events';
import { createApiKey, createSubscription } from '../support/relay-fixtures.js';
import { duplicateRate, type Target } from '../support/delivery-ledger.js';
import { Receiver } from '../support/receiver.js';
import { startLab } from '../support/lab.js';
import { byScale, Findings, mib, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { deliveriesDone, eventsStable, simQuiet } from '../support/settle.js';
import { ResumingWsClient } from '../support/ws-client.js';
import { sleep, until } from '../support/wait.js';

/** Type filters of the ten subscriptions: every type, live call events, CDR-side events. */
const FILTERS: string[][] = [
  [],
  [],
  [],
  [],
  ['call.*'],
  ['call.*'],
  ['call.ended', 'call.missed'],
  ['cdr.created', 'call.completed'],
  ['cdr.*'],
  ['call.completed'],
];

/** Kill moments spread over the load window, each jittered within its third. */
function killTimes(loadMs: number, kills: number): number[] {
  const slot = loadMs / (kills + 1);
  return Array.from({ length: kills }, (_, i) =>
    Math.round(slot * (i + 1) + (Math.random() - 0.5) * slot * 0.6),
  );
}

/**
 * Crash safety: load from the simulator, ten subscriptions (per-call ordering, the default) and
 * resuming WebSocket clients; the worker is killed with SIGKILL three times at random moments
 * and restarted. Every stored event must reach every matching subscription (duplicates keep
 * their webhook-id), in order per call (each endpoint checks `relay-sequence` per
 * `relay-order-key` on first acceptance), every WS client must end up with every event, and
 * every CDR 3CX wrote must be in the store.
 */
export const crashSafety: Scenario = {
  name: 'crash-safety',
  title: 'kill -9 the worker 3× under load: nothing lost',
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const loadMs = byScale(ctx.scale, { full: 60_000, quick: 20_000, test: 12_000 });
    const rate = byScale(ctx.scale, { full: 4, quick: 3, test: 2 });
    const wsCount = byScale(ctx.scale, { full: 5, quick: 3, test: 2 });
    const lab = await startLab({ pgUrl: ctx.pgUrl, tag: 'crash', sim: { timeScale: 0.02 } });
    const rx = await new Receiver().start();
    const clients: ResumingWsClient[] = [];
    try {
      const targets: Target[] = [];
      for (const [i, types] of FILTERS.entries()) {
        const secret = generateWebhookSecret();
        const ep = rx.endpoint(`s${i}`, secret);
        const sub = await createSubscription(lab.pool, lab.encryptionKey, {
          url: rx.urlOf(ep),
          eventTypes: types,
          secret,
        });
        targets.push({ sub, ep });
      }
      const key = await createApiKey(lab.pool, ['events:subscribe']);
      await lab.worker.start();
      const rssStart = lab.worker.rssBytes();
      for (let i = 0; i < wsCount; i++) clients.push(new ResumingWsClient(lab.worker.url, key.key).start());

      const started = Date.now();
      lab.sim.setLoadRate(rate);
      const kills = killTimes(loadMs, 3);
      const downtimes: number[] = [];
      for (const at of kills) {
        await sleep(Math.max(0, started + at - Date.now()));
        const t = Date.now();
        await lab.worker.kill9();
        await lab.worker.start();
        downtimes.push(Date.now() - t);
      }
      await sleep(Math.max(0, started + loadMs - Date.now()));
      lab.sim.setLoadRate(0);
      await simQuiet(lab.sim, 60_000);
      await eventsStable(lab.pool, 4000, 60_000);
      const l = await deliveriesDone(
        lab.pool,
        targets,
        byScale(ctx.scale, { full: 90_000, quick: 60_000, test: 45_000 }),
      );
      // The WS clients have no type filter: opt-in relay.* events are not theirs.
      const wsExpected = l.events.filter((e) => !isOptInEventType(e.type)).map((e) => e.sequence);
      const maxSeq = BigInt(wsExpected.at(-1) ?? '0');
      await until(() => clients.every((c) => c.lastSequence >= maxSeq), 30_000, 'WS clients caught up').catch(
        () => undefined,
      );
      const wsMissed = clients.reduce((n, c) => n + c.missing(wsExpected).length, 0);
      const pbxCdrs = await lab.pbxCdrIds();
      const cdrEvents = new Set(
        l.events.filter((e) => e.type === 'cdr.created').map((e) => String(e.data.cdrId)),
      );
      const cdrGap = pbxCdrs.filter((id) => !cdrEvents.has(id)).length;

      f.figure('calls', lab.sim.state().finishedCalls);
      f.figure('kills', `${kills.length} at ${kills.map((k) => `${(k / 1000).toFixed(1)}s`).join('/')}`);
      f.figure('restart', `${Math.round(Math.max(...downtimes) / 100) / 10} s max`);
      f.figure('events produced', l.events.length);
      f.figure('deliveries expected', l.expected);
      f.figure('delivered', l.delivered);
      f.figure('lost', l.lost);
      f.figure('duplicate rate', duplicateRate(l));
      f.figure(
        'order violations per call',
        `${l.orderViolations.length} over ${l.orderedCalls} calls × subscriptions`,
      );
      f.figure(
        'WS clients',
        `${clients.length}, ${clients.reduce((n, c) => n + c.connects, 0)} connects, ${wsMissed} missed, ${clients.reduce((n, c) => n + c.duplicates, 0)} dup`,
      );
      f.figure('CDRs 3CX/relay', `${pbxCdrs.length}/${cdrEvents.size}`);
      f.figure('RSS', `${mib(rssStart)} → ${mib(lab.worker.rssBytes())}`);
      f.check('events were produced', l.events.length > 0, l.events.length);
      f.check('0 lost webhook deliveries', l.lost === 0, l.lostSample.join(', '));
      f.check('every request signed correctly', l.badSignatures === 0, l.badSignatures);
      f.check(
        '0 order violations per call',
        l.orderViolations.length === 0,
        l.orderViolations.slice(0, 5).join(', '),
      );
      f.check('calls were ordered', l.orderedCalls > 0, l.orderedCalls);
      f.check('duplicates carry a stored webhook-id', l.unknownIds === 0, l.unknownIds);
      f.check('WS clients resuming with since miss nothing', wsMissed === 0, wsMissed);
      f.check('every 3CX CDR became cdr.created', cdrGap === 0, `${cdrGap} of ${pbxCdrs.length} missing`);
      f.check(
        'worker never exited on its own',
        lab.worker.unexpectedExits.length === 0,
        JSON.stringify(lab.worker.unexpectedExits),
      );
    } catch (err) {
      f.fail('run', err);
    } finally {
      lab.sim.setLoadRate(0);
      await Promise.all(clients.map((c) => c.close()));
      await lab.stop();
      await rx.stop();
    }
    return f.result();
  },
};
