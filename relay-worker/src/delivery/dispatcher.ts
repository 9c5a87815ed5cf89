import PQueue from 'p-queue';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { StatusBoard } from '../status/status-board.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { buildBody, claimDueDeliveries, type ClaimedDelivery } from './claim-due-deliveries.js';
import { decideOutcome } from './decide-outcome.js';
import { recordAttempts, type AttemptRecord, type SubscriptionHealth } from './record-attempts.js';
import { SubscriptionHealthTracker } from './subscription-health.js';
import type { LeasedRow, OutboxFastPath } from './outbox.js';
import type { StoredEvent } from '../events/event-store.js';
import type { RetryPolicy } from './retry-policy.js';
import { signPayload } from './sign-payload.js';
import { SubscriptionStore, type ActiveSubscription } from './subscription-store.js';
import type { SendResult, WebhookClient } from './webhook-client.js';

/**
 * The webhook dispatcher. One claim loop, many sends, one writer:
 *
 * - fast path: when it has room, the outbox inserts new deliveries already leased to this
 *   process ({@link Dispatcher.leaseMsIfCapacity}); after the append commits they go straight
 *   to `sending` ({@link Dispatcher.takeLeased}) without a claim query.
 * - `idle`: nothing due. Sleeps until {@link Dispatcher.wake} (an event was appended, a
 *   replay was requested, a batch was recorded) or `pollMs` passes (retries falling due,
 *   rows of a worker that died and whose lease ran out).
 * - `claiming`: claims up to the free capacity of due rows (`FOR UPDATE SKIP LOCKED` plus a
 *   lease, so several workers share the table) and hands each to its subscription's p-queue
 *   (per-subscription concurrency). Subscriptions with a full in-memory backlog are skipped
 *   so one dead endpoint cannot take every slot. A full batch loops straight back here.
 * - sending (concurrent with the loop): sign, POST, decide the outcome, push the result.
 * - recording (concurrent, one at a time): every result that arrived while the previous
 *   write ran goes out in one multi-row statement (group commit), then leases are
 *   released in memory, subscriptions disabled if due, and the loop is woken for capacity.
 * - `stopping`: no new claims; waits (bounded) for sends in flight, records them, closes.
 *   A send cut off by shutdown keeps its lease and is retried after it expires.
 */
export interface DispatcherOptions {
  retry: RetryPolicy;
  /** Rows claimed per query (default 500). */
  batchSize?: number;
  /** Deliveries claimed and not yet recorded, across subscriptions (default 2000). */
  maxInFlight?: number;
  /**
   * Claimed-but-unrecorded rows per subscription, as a multiple of its concurrency. Default:
   * as many rounds of `timeoutMs` as fit in 80 % of the lease, so a row waiting behind a
   * dead endpoint is sent before its lease runs out (no second send by another claimer).
   */
  backlogPerConcurrency?: number;
  /** Per-attempt timeout, for the default backlog (default 15 000 ms). */
  timeoutMs?: number;
  /** Claim lease; must exceed the request timeout plus queueing (default 120 000 ms). */
  leaseMs?: number;
  /** Idle poll period (default 1000 ms). */
  pollMs?: number;
  /** Disable a subscription after only failures for this long (default 5 days). */
  disableAfterMs?: number;
}

export interface DispatcherDeps {
  pool: pg.Pool;
  subscriptions: SubscriptionStore;
  client: WebhookClient;
  status: StatusBoard;
  metrics: RelayMetrics;
  log: Logger;
}

interface PendingResult {
  record: AttemptRecord;
  disableReason: string | null;
}

export class Dispatcher implements OutboxFastPath {
  private readonly queues = new Map<string, PQueue>();
  /** Rows leased by the outbox inside an append transaction, by event sequence, until it commits. */
  private readonly stash = new Map<string, { at: number; rows: LeasedRow[] }>();
  private reserved = 0;
  /** The last claim was limited by capacity (global or per subscription); a recorded batch frees some. */
  private waitingForCapacity = false;
  private degraded = false;
  private readonly health: SubscriptionHealthTracker;
  private readonly backlog = new Map<string, number>();
  private results: PendingResult[] = [];
  private inFlight = 0;
  private running = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private readonly o: Required<DispatcherOptions>;

  constructor(
    private readonly deps: DispatcherDeps,
    opts: DispatcherOptions,
  ) {
    this.o = {
      batchSize: 500,
      maxInFlight: 2000,
      leaseMs: 120_000,
      timeoutMs: 15_000,
      pollMs: 1000,
      disableAfterMs: 5 * 86_400_000,
      ...opts,
      backlogPerConcurrency:
        opts.backlogPerConcurrency ??
        Math.max(1, Math.floor((0.8 * (opts.leaseMs ?? 120_000)) / (opts.timeoutMs ?? 15_000))),
    };
    this.health = new SubscriptionHealthTracker(deps, this.o.disableAfterMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
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
    const idle = Promise.all([...this.queues.values()].map((q) => q.onIdle()));
    await Promise.race([idle, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.flushing;
    if (this.results.length > 0) await this.flush();
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

  /** Outbox fast path, inside the append transaction: remember the rows until the commit. */
  leased(rows: LeasedRow[]): void {
    for (const r of rows) {
      const entry = this.stash.get(r.event_sequence);
      if (entry) entry.rows.push(r);
      else this.stash.set(r.event_sequence, { at: Date.now(), rows: [r] });
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
        });
      }
    }
    // A rolled-back append leaves its stash behind: drop it (the rows do not exist).
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
          claimed = await claimDueDeliveries(this.deps.pool, {
            limit,
            leaseMs: this.o.leaseMs,
            skipSubscriptions: full,
          });
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

  private fullSubscriptions(): string[] {
    const full: string[] = [];
    for (const [id, n] of this.backlog) {
      const sub = this.deps.subscriptions.get(id);
      if (n >= (sub?.maxConcurrency ?? 8) * this.o.backlogPerConcurrency) full.push(id);
    }
    return full;
  }

  private async dispatch(claimed: ClaimedDelivery[]): Promise<void> {
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
      let queue = this.queues.get(sub.id);
      if (!queue) this.queues.set(sub.id, (queue = new PQueue({ concurrency: sub.maxConcurrency })));
      else if (queue.concurrency !== sub.maxConcurrency) queue.concurrency = sub.maxConcurrency;
      this.inFlight++;
      this.backlog.set(sub.id, (this.backlog.get(sub.id) ?? 0) + 1);
      const payload = body;
      void queue.add(() => this.attempt(d, sub, payload));
    }
    this.deps.metrics.deliveriesInFlight.set(this.inFlight);
  }

  private async attempt(d: ClaimedDelivery, sub: ActiveSubscription, body: Buffer): Promise<void> {
    const startedAt = new Date();
    let result: SendResult;
    const keys = SubscriptionStore.signingKeys(sub, startedAt.getTime());
    if (keys.length === 0) {
      result = {
        statusCode: null,
        durationMs: 0,
        excerpt: null,
        error: sub.keyError ?? 'no signing secret',
        errorKind: 'other',
        retryAfterMs: null,
        deliveryControl: null,
      };
    } else {
      result = await this.deps.client.send(
        sub.url,
        signPayload(d.eventId, body, keys, Math.floor(startedAt.getTime() / 1000)),
        sub.allowLocalNetwork,
      );
    }
    const attemptNo = d.attemptCount + 1;
    const outcome = decideOutcome(result, attemptNo, this.o.retry);
    this.deps.metrics.recordDelivery(outcome.succeeded, result.durationMs);
    if (!outcome.succeeded)
      this.deps.log.debug(
        { deliveryId: d.id, subscriptionId: sub.id, statusCode: result.statusCode, error: result.error },
        'delivery attempt failed',
      );
    this.results.push({
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
        succeeded: outcome.succeeded,
        status: outcome.status,
        nextAttemptAt: outcome.nextAttemptAt,
      },
      disableReason: outcome.disableSubscription,
    });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Writes every pending result, in batches, until none is left (one writer at a time). */
  private async flush(): Promise<void> {
    while (this.results.length > 0) {
      const batch = this.results.splice(0, 1000);
      let health: SubscriptionHealth[];
      try {
        await recordAttempts(
          this.deps.pool,
          batch.map((b) => b.record),
        );
        health = await this.health.write(batch.map((b) => b.record));
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
      for (const b of batch) {
        this.inFlight--;
        const n = (this.backlog.get(b.record.subscriptionId) ?? 1) - 1;
        if (n <= 0) this.backlog.delete(b.record.subscriptionId);
        else this.backlog.set(b.record.subscriptionId, n);
      }
      this.deps.metrics.deliveriesInFlight.set(this.inFlight);
      await this.health.applyDisables(
        batch.flatMap((b) => (b.disableReason ? [[b.record.subscriptionId, b.disableReason] as const] : [])),
        health,
      );
      if (this.waitingForCapacity) this.wake();
    }
    this.flushing = undefined;
  }
}
