import pg from 'pg';
import type { Logger } from '../logger.js';
import type { StatusBoard } from '../status/status-board.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import type { ControlHandler } from '../control/control-listener.js';
import type { EventStore } from '../events/event-store.js';
import { AppError, coerceError } from '../errors.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import type { OutboxSlot } from './outbox.js';
import { startEventPruner } from './prune-events.js';
import { recoverSince, retryDelivery, retryFailed, sendTest } from './replay.js';
import { sendExample, type ExampleSend } from './send-example.js';
import type { EventType } from '@3cx-relay/events';
import { RetryPolicy } from './retry-policy.js';
import { SubscriptionStore } from './subscription-store.js';
import { WebhookClient } from './webhook-client.js';

export interface DeliveryConfig {
  retryScheduleMs: number[];
  retryJitter: number;
  timeoutMs: number;
  disableAfterMs: number;
  /** `subscription.failing` after only failures for this long (default 5 minutes). */
  failingAfterMs?: number;
  pollMs: number;
  maxInFlight: number;
  leaseMs: number;
  retentionMs: number;
  encryptionKey: Buffer | undefined;
  /** Run the periodic prune (default true). */
  prune?: boolean;
  /** Re-read subscriptions and secrets this often, in case a reload command was missed (default 30 000 ms). */
  reloadEveryMs?: number;
}

export interface DeliveryDeps {
  pool: pg.Pool;
  store: EventStore;
  status: StatusBoard;
  metrics: RelayMetrics;
  log: Logger;
  /**
   * The outbox hook's slot when the store already has the hook (the worker registers it before
   * its sources start); without it the service adds its own hook now.
   */
  outbox?: OutboxSlot;
}

/** Something that accepts admin commands (the control listener). */
export interface CommandRegistry {
  on(command: string, handler: ControlHandler): void;
}

/**
 * The webhook side of the worker: outbox hook on the event store, subscription cache,
 * dispatcher, replay commands and retention pruning.
 */
export class DeliveryService {
  readonly subscriptions: SubscriptionStore;
  readonly dispatcher: Dispatcher;
  readonly client: WebhookClient;
  /** Attempt records: a pool of its own with synchronous_commit off (see {@link recordPoolFor}). */
  private readonly recordPool: pg.Pool;
  private stopPruner: (() => void) | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly cfg: DeliveryConfig,
    overrides: Partial<DispatcherOptions> = {},
  ) {
    const log = deps.log.child({ module: 'delivery' });
    this.subscriptions = new SubscriptionStore(deps.pool, cfg.encryptionKey, log);
    this.client = new WebhookClient({ timeoutMs: cfg.timeoutMs });
    this.recordPool = recordPoolFor(deps.pool, log);
    this.dispatcher = new Dispatcher(
      {
        pool: deps.pool,
        recordPool: this.recordPool,
        events: deps.store,
        subscriptions: this.subscriptions,
        client: this.client,
        status: deps.status,
        metrics: deps.metrics,
        log,
      },
      {
        retry: new RetryPolicy({ scheduleMs: cfg.retryScheduleMs, jitter: cfg.retryJitter }),
        pollMs: cfg.pollMs,
        maxInFlight: cfg.maxInFlight,
        leaseMs: cfg.leaseMs,
        disableAfterMs: cfg.disableAfterMs,
        ...(cfg.failingAfterMs !== undefined ? { failingAfterMs: cfg.failingAfterMs } : {}),
        timeoutMs: cfg.timeoutMs,
        ...overrides,
      },
    );
    if (deps.outbox) deps.outbox.attach(this.dispatcher);
    else deps.store.useOutbox(this.dispatcher);
    deps.store.on('appended', (events) => this.dispatcher.takeLeased(events));
  }

  async start(): Promise<void> {
    await this.subscriptions.reload();
    // Safety net for edits made without a reload-subscriptions command (URL, secrets, limits).
    this.reloadTimer = setInterval(() => {
      this.subscriptions
        .reload()
        .catch((err) => this.deps.log.warn({ err: coerceError(err) }, 'could not reload subscriptions'));
    }, this.cfg.reloadEveryMs ?? 30_000);
    this.reloadTimer.unref();
    this.dispatcher.start();
    if (this.cfg.prune !== false)
      this.stopPruner = startEventPruner(
        this.deps.pool,
        this.deps.log.child({ module: 'retention' }),
        this.cfg.retentionMs,
      );
    void this.deps.status.set('delivery', { status: 'up' });
  }

  async stop(): Promise<void> {
    clearInterval(this.reloadTimer);
    this.stopPruner?.();
    await this.dispatcher.stop();
    await this.client.close();
    await this.recordPool.end().catch(() => undefined);
  }

  /** Signs and sends the catalogue example of `type` to one subscription now (see send-example.ts). */
  sendExample(subscriptionId: string, type: EventType): Promise<ExampleSend> {
    return sendExample(this.subscriptions, this.client, subscriptionId, type);
  }

  /** Registers `reload-subscriptions`, `retry-delivery`, `retry-failed`, `recover`, `send-test`. */
  registerCommands(control: CommandRegistry): void {
    const { pool } = this.deps;
    const str = (args: Record<string, unknown>, key: string): string => {
      const v = args[key];
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new AppError('BAD_REQUEST', `missing argument ${key}`);
      return String(v);
    };
    const woken = <T>(p: Promise<T>) => p.then((v) => (this.dispatcher.wake(), v));
    control.on(
      'reload-subscriptions',
      async () => `reloaded ${await this.subscriptions.reload()} subscriptions`,
    );
    control.on(
      'retry-delivery',
      async (a) => `queued ${await woken(retryDelivery(pool, str(a, 'deliveryId')))} delivery`,
    );
    control.on('retry-failed', async (a) => {
      await this.subscriptions.reload();
      return `queued ${await woken(retryFailed(pool, str(a, 'subscriptionId')))} failed deliveries`;
    });
    control.on('recover', async (a) => {
      await this.subscriptions.reload();
      const n = await woken(
        recoverSince(pool, str(a, 'subscriptionId'), new Date(str(a, 'since')), this.cfg.retentionMs),
      );
      return `queued ${n} deliveries for recovery`;
    });
    control.on(
      'send-test',
      async (a) =>
        `queued test delivery ${await woken(sendTest(pool, this.deps.store, str(a, 'subscriptionId')))}`,
    );
  }
}

/**
 * A small pool beside the main one for the dispatcher's writes of attempt results, with
 * `synchronous_commit = off`: a result is visible at once but reaches the disk with the next WAL
 * flush (≤ 3 × wal_writer_delay), so recording costs no fsync of its own. A PostgreSQL crash can
 * lose the last results before that flush; those deliveries were still pending on disk, so they
 * are sent again (same webhook-id): at-least-once, never lost. Events and new deliveries are
 * still committed synchronously.
 */
export function recordPoolFor(pool: pg.Pool, log: Logger): pg.Pool {
  const base = pool.options;
  // The password is a non-enumerable property of pool.options: copy it by name.
  const p = new pg.Pool({
    ...base,
    password: base.password,
    max: 2,
    options: `${base.options ?? ''} -c synchronous_commit=off`.trim(),
  });
  p.on('error', (err) => log.warn({ err: coerceError(err) }, 'idle record connection failed'));
  return p;
}
