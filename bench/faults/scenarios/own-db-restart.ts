import { generateWebhookSecret, isOptInEventType } from '@3cx-relay/events';
import { startPostgres } from '@3cx-relay/pg-cluster';
import { driveCalls } from '../support/calls.js';
import { duplicateRate, type Target } from '../support/delivery-ledger.js';
import { startLab } from '../support/lab.js';
import { Receiver } from '../support/receiver.js';
import { createApiKey, createSubscription } from '../support/relay-fixtures.js';
import { byScale, Findings, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { deliveriesDone, eventsStable, simQuiet } from '../support/settle.js';
import { eventually, sleep, until } from '../support/wait.js';
import { ResumingWsClient } from '../support/ws-client.js';

/**
 * The relay's own PostgreSQL is killed (immediate stop, like a crash) in the middle of a run
 * of calls and started again after a while. The worker must reconnect by itself, and every
 * call must still have its call.ended, every event reach every subscription and WS client,
 * every 3CX CDR its cdr.created.
 */
export const ownDbRestart: Scenario = {
  name: 'own-db-restart',
  title: "relay's own PostgreSQL killed and restarted mid-load",
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const downMs = byScale(ctx.scale, { full: 15_000, quick: 8000, test: 4000 });
    const calls = byScale(ctx.scale, { full: 60, quick: 30, test: 14 });
    // Durable like production (`npm start`, install.sh): with synchronous_commit=off an immediate
    // stop loses the last acknowledged commits, which would be the database's loss, not the relay's.
    const own = await startPostgres({ fsync: true });
    const lab = await startLab({
      pgUrl: ctx.pgUrl,
      relayPgUrl: own.url(),
      tag: 'owndb',
      sim: { timeScale: 0.04 },
    });
    const rx = await new Receiver().start();
    const clients: ResumingWsClient[] = [];
    try {
      const targets: Target[] = [];
      for (const [i, types] of [[], ['call.*'], ['cdr.created', 'call.completed']].entries()) {
        const secret = generateWebhookSecret();
        const ep = rx.endpoint(`s${i}`, secret);
        targets.push({
          sub: await createSubscription(lab.pool, lab.encryptionKey, {
            url: rx.urlOf(ep),
            eventTypes: types,
            secret,
          }),
          ep,
        });
      }
      const key = await createApiKey(lab.pool, ['events:subscribe']);
      await lab.worker.start();
      for (let i = 0; i < 2; i++) clients.push(new ResumingWsClient(lab.worker.url, key.key).start());

      const driver = driveCalls(lab.sim, calls, 3, 300_000);
      await sleep(2000);
      await own.kill();
      const sawDown = await eventually(
        async () => (await lab.worker.health())?.components.database?.status === 'down',
        downMs + 10_000,
      );
      await sleep(downMs);
      await own.start();
      const t = Date.now();
      await until(
        async () => (await lab.worker.health())?.components.database?.status === 'up',
        60_000,
        'own database up again',
      );
      const reconnectMs = Date.now() - t;
      const driven = await driver;
      await simQuiet(lab.sim, 60_000);
      await eventsStable(lab.pool, 4000, 60_000);
      const l = await deliveriesDone(lab.pool, targets, 60_000);
      const ended = new Set(l.events.filter((e) => e.type === 'call.ended').map((e) => e.call_id));
      const missedEnds = driven.callIds.filter((id) => !ended.has(id));
      const pbx = await lab.pbxCdrIds();
      const cdrs = new Set(l.events.filter((e) => e.type === 'cdr.created').map((e) => String(e.data.cdrId)));
      const cdrGap = pbx.filter((id) => !cdrs.has(id)).length;
      // The WS clients have no type filter: opt-in relay.* events (a source reporting the outage) are not theirs.
      const forClients = l.events.filter((e) => !isOptInEventType(e.type));
      const maxSeq = BigInt(forClients.at(-1)?.sequence ?? '0');
      await until(() => clients.every((c) => c.lastSequence >= maxSeq), 30_000, 'WS clients caught up').catch(
        () => undefined,
      );
      const wsMissed = clients.reduce((n, c) => n + c.missing(forClients.map((e) => e.sequence)).length, 0);

      f.figure(
        'down',
        `${downMs / 1000} s, worker saw it: ${sawDown ? 'yes' : 'no'}, back up ${(reconnectMs / 1000).toFixed(1)} s after restart`,
      );
      f.figure('calls', driven.callIds.length);
      f.figure('events', l.events.length);
      f.figure('delivered', `${l.delivered}/${l.expected}`);
      f.figure('lost', l.lost);
      f.figure('duplicate rate', duplicateRate(l));
      f.figure('missed call.ended', missedEnds.length);
      f.figure('CDRs 3CX/relay', `${pbx.length}/${cdrs.size}`);
      f.figure('WS missed', wsMissed);
      f.check(
        'worker reconnected unattended (no exit)',
        lab.worker.unexpectedExits.length === 0 && lab.worker.starts === 1,
        JSON.stringify(lab.worker.unexpectedExits),
      );
      f.check('0 lost webhook deliveries', l.lost === 0 && l.expected > 0, l.lostSample.join(', '));
      const seenTypes = (id: string) =>
        l.events
          .filter((e) => e.call_id === id)
          .map((e) => e.type)
          .join('+') || 'no events';
      f.check(
        '0 missed call.ended',
        missedEnds.length === 0 && driven.callIds.length > 0,
        missedEnds
          .slice(0, 5)
          .map((id) => `${id} (${seenTypes(id)})`)
          .join(', '),
      );
      f.check('every 3CX CDR became cdr.created', cdrGap === 0, `${cdrGap} missing`);
      f.check('WS clients miss nothing', wsMissed === 0, wsMissed);
    } catch (err) {
      f.fail('run', err);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await own.start().catch(() => undefined);
      await lab.stop();
      await rx.stop();
      await own.stop();
    }
    return f.result();
  },
};
