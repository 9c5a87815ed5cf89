import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { StatusBoard } from '../status/status-board.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import {
  disableSubscription,
  updateSubscriptionHealth,
  type AttemptRecord,
  type SubscriptionHealth,
} from './record-attempts.js';
import type { SubscriptionStore } from './subscription-store.js';

/** How often a healthy subscription's counters (last_success_at) are refreshed. */
const HEALTH_REFRESH_MS = 5000;

/**
 * Subscription health for the dispatcher: writes the failure-run counters after each batch
 * (for a healthy subscription at most every few seconds, so a healthy stream costs no extra
 * statement per batch) and disables subscriptions — on 410 / `webhook-delivery: disable`, or
 * after only failures for `disableAfterMs` — with an `error_log` entry for the admin, written in
 * the same statement as the disable.
 */
export class SubscriptionHealthTracker {
  /** Per subscription: known healthy (no failure run) and when its counters were last written. */
  private readonly written = new Map<string, { ok: boolean; at: number }>();

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      subscriptions: SubscriptionStore;
      status: StatusBoard;
      metrics: RelayMetrics;
      log: Logger;
    },
    private readonly disableAfterMs: number,
  ) {}

  /** Writes the counters of the subscriptions in `records` that need it; returns their state. */
  async write(records: AttemptRecord[]): Promise<SubscriptionHealth[]> {
    const now = Date.now();
    const due = new Set<string>();
    for (const r of records) {
      const known = this.written.get(r.subscriptionId);
      if (!r.succeeded || !known || !known.ok || now - known.at >= HEALTH_REFRESH_MS)
        due.add(r.subscriptionId);
    }
    if (due.size === 0) return [];
    const health = await updateSubscriptionHealth(
      this.deps.pool,
      records.filter((r) => due.has(r.subscriptionId)),
    );
    for (const h of health) this.written.set(h.id, { ok: h.failingSince === null, at: now });
    return health;
  }

  /** Disables the subscriptions the receivers asked to stop, and those failing for too long. */
  async applyDisables(
    requested: (readonly [subscriptionId: string, reason: string])[],
    health: SubscriptionHealth[],
  ): Promise<void> {
    const reasons = new Map<string, string>(requested);
    const now = Date.now();
    for (const h of health) {
      if (
        h.enabled &&
        h.failingSince &&
        now - h.failingSince.getTime() >= this.disableAfterMs &&
        !reasons.has(h.id)
      ) {
        reasons.set(h.id, `only failures since ${h.failingSince.toISOString()}`);
      }
    }
    for (const [id, reason] of reasons) {
      try {
        const errorId = await disableSubscription(this.deps.pool, id, reason);
        if (errorId === null) continue;
        this.deps.subscriptions.markDisabled(id);
        this.deps.metrics.subscriptionsDisabled.inc();
        this.deps.log.warn({ subscriptionId: id, reason }, 'webhook subscription disabled');
        await this.deps.status
          .notify({
            kind: 'error',
            id: errorId,
            component: 'delivery',
            severity: 'error',
            code: 'SUBSCRIPTION_DISABLED',
          })
          .catch(() => undefined);
      } catch (err) {
        this.deps.log.warn({ subscriptionId: id, err: coerceError(err) }, 'could not disable subscription');
      }
    }
  }
}
