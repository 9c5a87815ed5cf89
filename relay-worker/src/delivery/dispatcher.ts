import { randomBytes } from 'node:crypto';
import os from 'node:os';
import PQueue from 'p-queue';
import type pg from 'pg';
import { orderKeyOf } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { StatusBoard } from '../status/status-board.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import type { StoredEvent } from '../events/event-store.js';
import { buildBody, claimDueDeliveries, type ClaimedDelivery } from './claim-due-deliveries.js';
import { decideOutcome, type Outcome } from './decide-outcome.js';
import { relayHeaders } from './delivery-headers.js';
import { attemptOutcome, DeliveryStatsBuffer } from './delivery-stats.js';
import { DeliveryLanes } from './delivery-lanes.js';
import { recordAttempts, releaseLanes, type AttemptRecord, type LaneChange } from './record-attempts.js';
import { SubscriptionHealthTracker } from './subscription-health.js';
import type { HealthEventAppender } from './subscription-health-events.js';
import type { SubscriptionHealth } from './subscription-health-store.js';
import type { LeasedRow, OutboxFastPath } from './outbox.js';
import type { RetryPolicy } from './retry-policy.js';
import { signPayload } from './sign-payload.js';
import { SubscriptionStore, type ActiveSubscription } from './subscription-store.js';
import type { SendResult, WebhookClient } from './webhook-client.js';

/** The shortest round {@link Dispatcher.backlogCap} assumes (ms). */
const ROUND_FLOOR_MS = 50;
/** Attempt times count this many times over in {@link Dispatcher.backlogCap}: a fast endpoint may slow down. */
const ATTEMPT_HEADROOM = 4;

/** A row is sent only while its lease outlasts one timeout plus this much (else it is handed back unsent). */
const leaseMargin = (leaseMs: number) => Math.min(2000, leaseMs / 10);

/**
 * The webhook dispatcher. One claim loop, many sends, one writer:
 *
 * - fast path: when it has room, the outbox inserts new deliveries already leased to this
 *   process ({@link Dispatcher.leaseMsIfCapacity}); after the append commits they go straight
 *   to `sending` ({@link Dispatcher.takeLeased}) without a claim query.
 * - `idle`: nothing due. Sleeps until {@link Dispatcher.wake} (an event was appended, a
 *   replay was requested, a batch was recorded) or `pollMs` passes (retries falling due,
 *   rows of a worker that died and whose lease ran out).
 * - `claiming`: claims up to the free capacity of due rows — unordered rows and the heads of
 *   per-call lanes, each head with the rest of its lane (`FOR UPDATE SKIP LOCKED` plus a lease,
 *   so several workers share the table) — and hands each to its subscription's p-queue
 *   (concurrency and rate limit per subscription). A lane sends one row at a time, in sequence
 *   order ({@link DeliveryLanes}). Subscriptions with a full in-memory backlog are skipped so
 *   one dead endpoint cannot take every slot. A full batch loops straight back here.
 * - sending (concurrent with the loop): sign, POST, decide the outcome, push the result. A
 *   lane's row waiting for a retry hands the lane's other rows back.
 * - recording (concurrent, one at a time): every result that arrived while the previous
 *   write ran goes out in one multi-row statement (group commit, asynchronous commit: a lost
 *   record only means a re-send), rows handed back and lanes behind a retry in a second one,
 *   then leases are released in memory, subscriptions disabled if due, and the loop is woken.
 * - `stopping`: no new claims, no new lane rows; waits (bounded) for sends in flight, records
 *   them, closes. A send cut off by shutdown keeps its lease and is retried after it expires.
 */
export interface DispatcherOptions {
  retry: RetryPolicy;
  /** Heads claimed per query (default 500). */
  batchSize?: number;
  /** Rows of a lane claimed with its head (default 20). */
  perLane?: number;
  /** Deliveries claimed and not yet recorded, across subscriptions (default 20 000; lanes may overshoot it). */
  maxInFlight?: number;
  /**
   * Claimed-but-unsent rows per subscription, as a multiple of its concurrency. Default: as
   * many rounds of what its attempts take (at most its timeout) as fit in 80 % of the lease, so
   * a row waiting behind a slow or dead endpoint is sent before its lease runs out
   * ({@link Dispatcher.backlogCap}).
   */
  backlogPerConcurrency?: number;
  /** Per-attempt timeout when the subscription sets none (default 15 000 ms). */
  timeoutMs?: number;
  /** Claim lease; must exceed the request timeout plus queueing (default 120 000 ms). */
  leaseMs?: number;
  /** Idle poll period (default 1000 ms). */
  pollMs?: number;
  /** Disable a subscription after only failures for this long (default 5 days). */
  disableAfterMs?: number;
  /** Send `subscription.failing` after only failures for this long (default 5 minutes). */
  failingAfterMs?: number;
}

export interface DispatcherDeps {
  pool: pg.Pool;
  /** Where attempt records go; a pool with `synchronous_commit` off (default `pool`). */
  recordPool?: pg.Pool;
  subscriptions: SubscriptionStore;
  client: WebhookClient;
  status: StatusBoard;
  metrics: RelayMetrics;
  log: Logger;
  /** Where `subscription.*` health events are appended (none: not reported). */
  events?: HealthEventAppender;
}

type PendingResult =
  | { kind: 'attempt'; d: ClaimedDelivery; record: AttemptRecord; disableReason: string | null }
  | { kind: 'release'; d: ClaimedDelivery };

export class Dispatcher implements OutboxFastPath {
  /** Lease owner id of this process (`deliveries.locked_by`). */
  readonly instanceId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly queues = new Map<string, { queue: PQueue; rate: number | null }>();
  private readonly lanes = new DeliveryLanes((d, continuation) => this.enqueueLaneRow(d, continuation));
  /** Rows leased by the outbox inside an append transaction, by event sequence, until it commits. */
  private readonly stash = new Map<string, { at: number; rows: LeasedRow[] }>();
  private reserved = 0;
  /** The last claim was limited by capacity (global or per subscription); a recorded batch frees some. */
  private waitingForCapacity = false;
  private degraded = false;
  private readonly health: SubscriptionHealthTracker;
  /** The hourly `delivery_stats`, written once a second. */
  private readonly stats: DeliveryStatsBuffer;
  private readonly backlog = new Map<string, number>();
  /** Per subscription: what its attempts take, with headroom (ms; see {@link noteAttemptTime}). */
  private readonly attemptMs = new Map<string, number>();
  private results: PendingResult[] = [];
  private inFlight = 0;
  private running = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  /** The last batch being handed to queues and lanes ({@link dispatch}). */
  private dispatching: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private readonly o: Required<Omit<DispatcherOptions, 'backlogPerConcurrency'>> & {
    backlogPerConcurrency?: number;
  };

  constructor(
    private readonly deps: DispatcherDeps,
    opts: DispatcherOptions,
  ) {
    this.o = {
      batchSize: 500,
      perLane: 20,
      maxInFlight: 20_000,
      leaseMs: 120_000,
      timeoutMs: 15_000,
      pollMs: 1000,
      disableAfterMs: 5 * 86_400_000,
      failingAfterMs: 300_000,
      ...opts,
    };
    this.health = new SubscriptionHealthTracker(
      { ...deps, pool: deps.recordPool ?? deps.pool },
      { disableAfterMs: this.o.disableAfterMs, failingAfterMs: this.o.failingAfterMs },
    );
    this.stats = new DeliveryStatsBuffer(deps.recordPool ?? deps.pool, deps.log);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stats.start();
    this.loopDone = this.loop();
  }

  /** Something may be due now: skip the idle wait. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming, waits up to `graceMs` for sends in flight, records what finished. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    const idle = Promise.all([...this.queues.values()].map((q) => q.queue.onIdle()));
    await Promise.race([idle, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.flushing;
    if (this.results.length > 0) await this.flush();
    await this.stats.stop();
  }

  /** Outbox fast path: lease new rows to this process while it has room. */
  leaseMsIfCapacity(): { leaseMs: number; skipSubscriptions: string[] } | null {
    if (this.running && this.inFlight + this.reserved < this.o.maxInFlight * 0.8) {
      const skip = this.fullSubscriptions();
      if (skip.length) this.woken = true; // their rows go to the claim loop
      return { leaseMs: this.o.leaseMs, skipSubscriptions: skip };
    }
    this.woken = true; // the rows go to the claim loop instead
    return null;
  }

  /** Outbox fast path, after the append committed: remember the rows until its `'appended'`. */
  leased(rows: LeasedRow[], unleased: number, since: number): void {
    if (unleased > 0) this.woken = true; // rows behind a lane held elsewhere: the claim loop looks
    for (const r of rows) {
      const entry = this.stash.get(r.event_sequence);
      if (entry) entry.rows.push(r);
      else this.stash.set(r.event_sequence, { at: since, rows: [r] });
    }
    this.reserved += rows.length;
  }

  /** After the append committed: sends the rows leased for these events. */
  takeLeased(events: StoredEvent[]): void {
    const claimed: ClaimedDelivery[] = [];
    for (const e of events) {
      const entry = this.stash.get(e.sequence.toString());
      if (!entry) continue;
      this.stash.delete(e.sequence.toString());
      this.reserved -= entry.rows.length;
      const dataJson = JSON.stringify(e.data);
      const eventOrderKey = orderKeyOf(e);
      for (const r of entry.rows) {
        claimed.push({
          id: r.id,
          subscriptionId: r.subscription_id,
          attemptCount: 0,
          trigger: 'scheduled',
          createdAt: new Date(),
          eventSequence: r.event_sequence,
          eventId: e.id,
          eventType: e.type,
          occurredAt: e.occurredAt,
          dataJson,
          orderKey: r.order_key,
          eventOrderKey,
          prevSequence: r.prev_sequence,
          leaseUntil: entry.at + this.o.leaseMs - leaseMargin(this.o.leaseMs) / 2,
          joined: r.joined,
        });
      }
    }
    // Rows whose 'appended' never got here (a listener before this one threw): drop them
    // unsent; their lease runs out and the claim loop sends them.
    const stale = Date.now() - 30_000;
    for (const [seq, entry] of this.stash) {
      if (entry.at >= stale) break;
      this.stash.delete(seq);
      this.reserved -= entry.rows.length;
    }
    if (claimed.length) void this.dispatch(claimed);
    if (this.woken) this.wake();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const capacity = this.o.maxInFlight - this.inFlight;
      let claimed: ClaimedDelivery[] = [];
      const limit = Math.min(capacity, this.o.batchSize);
      const full = this.fullSubscriptions();
      if (limit > 0) {
        try {
          const res = await claimDueDeliveries(this.deps.pool, {
            limit,
            leaseMs: this.o.leaseMs,
            skipSubscriptions: full,
            perLane: this.o.perLane,
            instanceId: this.instanceId,
          });
          claimed = res.claimed;
          if (res.stray.length) this.releaseUnsent(res.stray);
          if (this.degraded) {
            this.degraded = false;
            void this.deps.status.set('delivery', { status: 'up' });
          }
        } catch (err) {
          this.deps.log.warn({ err: coerceError(err) }, 'could not claim deliveries');
          this.degraded = true;
          void this.deps.status.set('delivery', { status: 'degraded', error: coerceError(err).message });
        }
      }
      if (claimed.length > 0) await this.dispatch(claimed);
      // Out of slots, or some subscriptions skipped for a full backlog: a recorded batch may free either.
      this.waitingForCapacity = limit <= 0 || full.length > 0;
      if (claimed.length < limit || limit <= 0) await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, this.o.pollMs);
      this.wakeUp = done;
    });
  }

  private timeoutOf(sub: ActiveSubscription | undefined): number {
    return sub?.timeoutMs ?? this.o.timeoutMs;
  }

  private fullSubscriptions(): string[] {
    const full: string[] = [];
    for (const [id, n] of this.backlog) if (n >= this.backlogCap(id)) full.push(id);
    return full;
  }

  /**
   * How many rows a subscription may hold claimed and unsent: as many rounds of its concurrency
   * as fit in 80 % of the lease, a round lasting what its attempts take (see
   * {@link noteAttemptTime}), at most its timeout. An endpoint answering in 5 ms gets thousands
   * (the global in-flight cap bounds them); one that times out gets what it did before this was
   * measured, 6 rounds at the default lease and timeout. With the timeout alone, a 100 ms hiccup
   * of a fast receiver at 1,000 deliveries/s filled the backlog and pushed every new row off the
   * fast path onto the claim loop, which costs PostgreSQL two to three times as much per row:
   * the hiccup became a backlog of seconds (10,000/s benchmark). Sizing is not what keeps a row
   * from being sent twice: a row whose lease would end before it could be sent is handed back
   * unsent (`send`).
   */
  backlogCap(subscriptionId: string): number {
    const sub = this.deps.subscriptions.get(subscriptionId);
    const timeout = this.timeoutOf(sub);
    const round = Math.min(timeout, Math.max(ROUND_FLOOR_MS, this.attemptMs.get(subscriptionId) ?? timeout));
    const rounds = this.o.backlogPerConcurrency ?? Math.max(1, Math.floor((0.8 * this.o.leaseMs) / round));
    let cap = (sub?.maxConcurrency ?? 8) * rounds;
    // A rate limit drains a backlog no faster than its rate: claim what half a lease can send.
    if (sub?.rateLimitPerSecond)
      cap = Math.min(cap, Math.max(1, (sub.rateLimitPerSecond * this.o.leaseMs) / 2000));
    return cap;
  }

  /**
   * What a subscription's attempts take, for {@link backlogCap}: four times the last attempt
   * when it is slower than the estimate (rises at once), else it decays by a tenth toward four
   * times the attempt. A timeout or a failed connection counts as the whole timeout.
   */
  private noteAttemptTime(subscriptionId: string, result: SendResult, timeoutMs: number): void {
    const took =
      result.errorKind === 'timeout' || result.errorKind === 'connect'
        ? timeoutMs
        : ATTEMPT_HEADROOM * result.durationMs;
    const was = this.attemptMs.get(subscriptionId);
    this.attemptMs.set(subscriptionId, was === undefined || took > was ? took : 0.9 * was + 0.1 * took);
  }

  /** The p-queue of a subscription: its concurrency and its rate limit (a changed rate gets a new queue; the old one drains). */
  private queueFor(sub: ActiveSubscription): PQueue {
    const rate = sub.rateLimitPerSecond;
    let q = this.queues.get(sub.id);
    if (!q || q.rate !== rate) {
      // intervalCap per interval = the rate, in windows of ~100 ms (or one start per 1/rate s below 10/s)
      const cap = rate ? Math.max(1, Math.floor(rate / 10)) : undefined;
      const queue = new PQueue({
        concurrency: sub.maxConcurrency,
        ...(rate && cap ? { intervalCap: cap, interval: Math.round((cap * 1000) / rate) } : {}),
      });
      this.queues.set(sub.id, (q = { queue, rate }));
    } else if (q.queue.concurrency !== sub.maxConcurrency) q.queue.concurrency = sub.maxConcurrency;
    return q.queue;
  }

  /**
   * Hands rows to their queues and lanes, one batch after another in the order they were
   * handed over. A batch may wait for its subscriptions to load (one not seen yet, a slow
   * database); a later batch must not overtake it, or a later event of a call would join that
   * call's lane, and start when its head finished, before the earlier one arrived.
   */
  private dispatch(claimed: ClaimedDelivery[]): Promise<void> {
    const run = this.dispatching.then(() => this.dispatchNow(claimed));
    this.dispatching = run.catch(() => undefined);
    return run;
  }

  private async dispatchNow(claimed: ClaimedDelivery[]): Promise<void> {
    let subs: Map<string, ActiveSubscription>;
    try {
      subs = await this.deps.subscriptions.getMany(claimed.map((d) => d.subscriptionId));
    } catch (err) {
      // Leave the rows claimed; their lease expires and they are claimed again.
      this.deps.log.warn({ err: coerceError(err) }, 'could not load subscriptions');
      return;
    }
    const bodies = new Map<string, Buffer>(); // one serialization per event for every subscription
    for (const d of claimed) {
      const sub = subs.get(d.subscriptionId);
      if (!sub) continue; // deleted meanwhile: the row went with it (cascade)
      let body = bodies.get(d.eventSequence);
      if (!body) bodies.set(d.eventSequence, (body = buildBody(d)));
      d.body = body;
      this.inFlight++;
      this.backlog.set(sub.id, (this.backlog.get(sub.id) ?? 0) + 1);
      if (d.orderKey === null) void this.queueFor(sub).add(() => this.send(d));
      else if (!this.lanes.add(d, d.joined === true)) this.release([d]);
    }
    this.deps.metrics.deliveriesInFlight.set(this.inFlight);
  }

  /** Queues a lane's next row; while stopping, hands the lane back instead. */
  private enqueueLaneRow(d: ClaimedDelivery, continuation: boolean): void {
    const sub = this.deps.subscriptions.get(d.subscriptionId);
    if (!this.running || !sub) {
      this.release([d, ...this.lanes.settle(d, false)]);
      return;
    }
    // `send` settles the lane itself (see `laneDone`): the queued function is the same as an
    // unordered row's, with no wrapper of its own to allocate per row.
    const queue = this.queueFor(sub);
    if (continuation) void queue.add(() => this.send(d), CONTINUATION);
    else void queue.add(() => this.send(d));
  }

  /** A lane row's attempt is over (`proceed`: delivered or failed for good): its lane goes on or ends. */
  private laneDone(d: ClaimedDelivery, proceed: boolean): void {
    const rest = this.lanes.settle(d, proceed);
    if (rest.length) this.release(rest);
  }

  /**
   * One attempt; null when the row was handed back unsent (lease nearly over, subscription gone
   * or disabled). A lane's row (`orderKey` set: only lanes send those) settles its lane here.
   */
  private async send(d: ClaimedDelivery): Promise<Outcome | null> {
    const sub = this.deps.subscriptions.get(d.subscriptionId);
    if (
      !sub ||
      !sub.enabled ||
      d.leaseUntil - Date.now() < this.timeoutOf(sub) + leaseMargin(this.o.leaseMs)
    ) {
      this.release([d]);
      if (d.orderKey !== null) this.laneDone(d, false);
      return null;
    }
    const startedAt = new Date();
    const attemptNo = d.attemptCount + 1;
    let result: SendResult;
    const keys = SubscriptionStore.signingKeys(sub, startedAt.getTime());
    if (keys.length === 0 || sub.headerError) {
      result = {
        statusCode: null,
        durationMs: 0,
        excerpt: null,
        error: sub.headerError ?? sub.keyError ?? 'no signing secret',
        errorKind: 'other',
        retryAfterMs: null,
        deliveryControl: null,
      };
    } else {
      const signed = signPayload(
        d.eventId,
        d.body ?? buildBody(d),
        keys,
        Math.floor(startedAt.getTime() / 1000),
      );
      Object.assign(signed.headers, relayHeaders(d, attemptNo));
      result = await this.deps.client.send(sub.url, signed, {
        allowedCidrs: sub.allowedCidrs,
        timeoutMs: sub.timeoutMs,
        headers: sub.headers,
      });
    }
    this.noteAttemptTime(sub.id, result, this.timeoutOf(sub));
    const outcome = decideOutcome(result, attemptNo, this.o.retry);
    this.deps.metrics.recordDelivery(outcome.succeeded, result.durationMs);
    if (!outcome.succeeded)
      this.deps.log.debug(
        { deliveryId: d.id, subscriptionId: sub.id, statusCode: result.statusCode, error: result.error },
        'delivery attempt failed',
      );
    this.results.push({
      kind: 'attempt',
      d,
      record: {
        deliveryId: d.id,
        subscriptionId: sub.id,
        attemptNo,
        trigger: d.trigger,
        startedAt,
        durationMs: Math.round(result.durationMs * 100) / 100,
        statusCode: result.statusCode,
        excerpt: result.excerpt,
        error: result.error,
        outcome: attemptOutcome(result.statusCode, result.errorKind),
        succeeded: outcome.succeeded,
        status: outcome.status,
        nextAttemptAt: outcome.nextAttemptAt,
      },
      disableReason: outcome.disableSubscription,
    });
    this.unqueued(d);
    this.scheduleFlush();
    if (d.orderKey !== null) this.laneDone(d, outcome.status !== 'pending');
    return outcome;
  }

  /** Hands rows back to the database unsent (their lease is dropped at the next write). */
  private release(rows: ClaimedDelivery[]): void {
    for (const d of rows) {
      this.results.push({ kind: 'release', d });
      this.unqueued(d);
    }
    if (rows.length) this.scheduleFlush();
  }

  /**
   * A row left its subscription's backlog: sent (its record still to be written) or handed
   * back. The backlog bounds what waits to be *sent*, so a row behind a dead endpoint goes
   * before its lease ends. Counting rows until their record was written as well let one slow
   * group commit push new rows off the fast path onto the claim loop, which costs the database
   * more per row.
   */
  private unqueued(d: ClaimedDelivery): void {
    const n = (this.backlog.get(d.subscriptionId) ?? 1) - 1;
    if (n <= 0) this.backlog.delete(d.subscriptionId);
    else this.backlog.set(d.subscriptionId, n);
  }

  /** Hands back rows that were leased but never dispatched (no in-memory accounting). */
  private releaseUnsent(ids: string[]): void {
    void releaseLanes(this.deps.recordPool ?? this.deps.pool, ids, []).catch((err: unknown) =>
      this.deps.log.warn(
        { err: coerceError(err) },
        'could not hand back claimed rows; their lease will expire',
      ),
    );
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Writes every pending result, in batches, until none is left (one writer at a time). */
  private async flush(): Promise<void> {
    const pool = this.deps.recordPool ?? this.deps.pool;
    while (this.results.length > 0) {
      const batch = this.results.splice(0, 1000);
      const attempts = batch.flatMap((b) => (b.kind === 'attempt' ? [b] : []));
      const records = attempts.map((b) => b.record);
      let health: SubscriptionHealth[];
      try {
        await recordAttempts(pool, records);
        this.stats.add(records);
        await releaseLanes(
          pool,
          batch.flatMap((b) => (b.kind === 'release' ? [b.d.id] : [])),
          laneChanges(attempts),
        );
        health = await this.health.write(records);
      } catch (err) {
        this.deps.log.warn(
          { err: coerceError(err), attempts: batch.length },
          'could not record attempts; retrying',
        );
        this.results.unshift(...batch);
        await new Promise((r) => setTimeout(r, 1000).unref());
        if (!this.running && this.inFlight === this.results.length) break; // shutting down with the DB gone: leases expire, rows are re-sent
        continue;
      }
      this.inFlight -= batch.length;
      this.deps.metrics.deliveriesInFlight.set(this.inFlight);
      await this.health.applyDisables(
        attempts.flatMap((b) =>
          b.disableReason ? [[b.record.subscriptionId, b.disableReason] as const] : [],
        ),
        health,
      );
      if (this.waitingForCapacity || batch.some((b) => b.kind === 'release')) this.wake();
    }
    this.flushing = undefined;
  }
}

/** p-queue options of a lane's next row: ahead of rows that start a lane (one object for all). */
const CONTINUATION = { priority: 1 } as const;

/**
 * Lanes behind settled heads: a head waiting for a retry defers the rest of its lane to that
 * retry; a retried (or manually re-sent) head that settled wakes the rows it had deferred.
 */
function laneChanges(attempts: { d: ClaimedDelivery; record: AttemptRecord }[]): LaneChange[] {
  const out: LaneChange[] = [];
  for (const { d, record } of attempts) {
    if (d.orderKey === null) continue;
    const base = { subscriptionId: d.subscriptionId, orderKey: d.orderKey, afterSequence: d.eventSequence };
    if (record.status === 'pending' && record.nextAttemptAt)
      out.push({ ...base, mode: 'defer', at: record.nextAttemptAt });
    else if (record.attemptNo > 1 || record.trigger !== 'scheduled')
      out.push({ ...base, mode: 'wake', at: new Date() });
  }
  return out;
}
