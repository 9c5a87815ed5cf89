import { generateWebhookSecret } from '@3cx-relay/events';
import { ledger, type Target } from '../support/delivery-ledger.js';
import { driveCalls } from '../support/calls.js';
import { startLab } from '../support/lab.js';
import { Receiver, type Hit } from '../support/receiver.js';
import { createSubscription, runControl } from '../support/relay-fixtures.js';
import { byScale, Findings, type Scenario, type ScenarioContext } from '../support/scenario.js';
import { deliveriesDone, eventsStable, simQuiet } from '../support/settle.js';
import { until } from '../support/wait.js';

/** The compressed retry schedule (ms): 5 attempts in ~4.5 s instead of 8 over ~27 h. */
const SCHEDULE = [300, 600, 1200, 2400];
/** Failing this long disables the subscription (instead of 5 days); longer than the whole schedule. */
const DISABLE_AFTER_MS = 6000;

/** Gaps between the attempts of the first webhook-id the receiver saw, in ms. */
function attemptGaps(hits: Hit[]): number[] {
  const first = hits[0]?.webhookId;
  const times = hits.filter((h) => h.webhookId === first).map((h) => h.at);
  return times.slice(1).map((t, i) => t - times[i]!);
}

/**
 * Receiver outage: one endpoint answers 503 for the whole (compressed) retry window while a
 * second, healthy one keeps receiving. Attempts must follow the schedule, the subscription
 * must be disabled once and flagged in the error log, and after the receiver is back a
 * `recover` since the start must deliver every event, including those from while it was off.
 */
export const receiverOutage: Scenario = {
  name: 'receiver-outage',
  title: 'receiver down for the whole retry window, then recover-since',
  async run(ctx: ScenarioContext) {
    const f = new Findings(this.name);
    const calls = byScale(ctx.scale, { full: 40, quick: 15, test: 6 });
    const lab = await startLab({
      pgUrl: ctx.pgUrl,
      tag: 'outage',
      workerEnv: {
        DELIVERY_RETRY_SCHEDULE: SCHEDULE.map((ms) => `${ms}ms`).join(','),
        DELIVERY_DISABLE_AFTER_MS: String(DISABLE_AFTER_MS),
      },
    });
    const rx = await new Receiver().start();
    try {
      const downSecret = generateWebhookSecret();
      const down = rx.endpoint('down', downSecret, true);
      const okSecret = generateWebhookSecret();
      const ok = rx.endpoint('ok', okSecret);
      const sub = await createSubscription(lab.pool, lab.encryptionKey, {
        url: rx.urlOf(down),
        secret: downSecret,
      });
      const healthy: Target = {
        sub: await createSubscription(lab.pool, lab.encryptionKey, { url: rx.urlOf(ok), secret: okSecret }),
        ep: ok,
      };
      down.respond = () => 503;
      const since = new Date(Date.now() - 1000);
      await lab.worker.start();

      // Phase 1: traffic while the receiver is down, until the subscription is disabled.
      const first = await driveCalls(lab.sim, calls, 3, 120_000);
      const disabledRow = await until(
        async () =>
          (
            await lab.pool.query<{ enabled: boolean; disabled_reason: string | null }>(
              'SELECT enabled, disabled_reason FROM webhook_subscriptions WHERE id = $1',
              [sub.id],
            )
          ).rows.find((r) => !r.enabled),
        30_000,
        'subscription disabled',
      );
      // Phase 2: more traffic while it is disabled: these events get no delivery rows at all.
      const second = await driveCalls(lab.sim, Math.max(2, Math.round(calls / 3)), 3, 60_000);
      await simQuiet(lab.sim, 60_000);
      await eventsStable(lab.pool, 3000, 60_000);
      const gaps = attemptGaps(down.hits);
      const errors = (
        await lab.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM error_log WHERE code = 'SUBSCRIPTION_DISABLED' AND details->>'subscriptionId' = $1`,
          [sub.id],
        )
      ).rows[0]!.n;
      const failedBefore = down.requests;

      // Phase 3: the receiver recovers; the operator re-enables and recovers since the start.
      down.respond = () => 200;
      await lab.pool.query(
        'UPDATE webhook_subscriptions SET enabled = true, disabled_reason = NULL, disabled_at = NULL WHERE id = $1',
        [sub.id],
      );
      const recoverResult = await runControl(lab.pool, 'recover', {
        subscriptionId: sub.id,
        since: since.toISOString(),
      });
      const l = await deliveriesDone(lab.pool, [{ sub, ep: down }], 60_000);
      const lh = await ledger(lab.pool, [healthy]);

      f.figure('calls', first.callIds.length + second.callIds.length);
      f.figure('events', l.events.length);
      f.figure('attempts while down', failedBefore);
      f.figure('attempt gaps (ms)', `${gaps.join('/')} vs schedule ${SCHEDULE.join('/')}`);
      f.figure('disabled', disabledRow.disabled_reason ?? '');
      f.figure('error-log entries', errors);
      f.figure('recover', recoverResult);
      f.figure('delivered after recovery', `${l.delivered}/${l.expected}`);
      f.figure('lost', l.lost);
      f.figure('healthy endpoint lost', lh.lost);
      f.check(
        'attempts follow the schedule (count, order, no gap shorter than planned)',
        gaps.length === SCHEDULE.length &&
          gaps.every((g, i) => g >= SCHEDULE[i]! * 0.9 && g <= SCHEDULE[i]! + 5000),
        gaps.join('/'),
      );
      f.check('subscription disabled after the threshold', !!disabledRow, disabledRow.disabled_reason ?? '');
      f.check('disable flagged once in the error log', errors === 1, errors);
      f.check(
        'recover-since delivers everything (0 lost)',
        l.lost === 0 && l.expected > 0,
        l.lostSample.join(', '),
      );
      f.check(
        'healthy subscription unaffected (0 lost)',
        lh.lost === 0 && lh.expected > 0,
        lh.lostSample.join(', '),
      );
      f.check(
        'every request signed correctly',
        l.badSignatures + lh.badSignatures === 0,
        l.badSignatures + lh.badSignatures,
      );
      f.check(
        'worker never exited on its own',
        lab.worker.unexpectedExits.length === 0,
        JSON.stringify(lab.worker.unexpectedExits),
      );
    } catch (err) {
      f.fail('run', err);
    } finally {
      await lab.stop();
      await rx.stop();
    }
    return f.result();
  },
};
