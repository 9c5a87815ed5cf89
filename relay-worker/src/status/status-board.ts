import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

/** A plain JSON object for a Prisma Json column (undefined leaves the column as it is). */
const json = (v: Record<string, unknown> | undefined) => (v === undefined ? null : JSON.stringify(v));

/** Components whose health the relay tracks. */
export type ComponentName = 'database' | 'db3cx' | 'xapi' | 'callcontrol' | 'delivery' | 'fanout';
export type ComponentState = 'connecting' | 'up' | 'degraded' | 'down' | 'disabled';
export type Severity = 'info' | 'warning' | 'error' | 'critical';

export interface ComponentStatus {
  status: ComponentState;
  latencyMs?: number | undefined;
  lastError?: string | undefined;
  since: Date;
  updatedAt: Date;
  details?: Record<string, unknown> | undefined;
}

/** A component's state changed (`from` is undefined for its first report). */
export interface StatusChange {
  component: ComponentName;
  from: ComponentState | undefined;
  to: ComponentState;
  error: string | undefined;
  at: Date;
}

/** Channel the admin LISTENs on for live updates. */
export const EVENTS_CHANNEL = 'relay_events';

/**
 * The worker's view of its components. Keeps the current state in memory (health endpoint),
 * and records it in the relay's database: `component_status` always, a
 * `connection_status_history` row on every change and at least every `historyEveryMs`,
 * an `error_log` row per failure (the same component+code at most once per `dedupeMs`),
 * and a NOTIFY on `relay_events` so the admin updates live. Database failures here are
 * logged, never thrown: status reporting must not take a source down.
 */
export class StatusBoard {
  private readonly current = new Map<ComponentName, ComponentStatus>();
  private readonly lastHistoryAt = new Map<ComponentName, number>();
  private readonly lastErrorAt = new Map<string, number>();
  private readonly detailsTimers = new Map<ComponentName, NodeJS.Timeout>();
  private readonly lastDetailsAt = new Map<ComponentName, number>();
  private readonly writtenDetails = new Map<ComponentName, string>();
  private readonly changeListeners: ((change: StatusChange) => void)[] = [];
  /** Each component's last write, so that its writes land in the order they were made. */
  private readonly writes = new Map<ComponentName, Promise<void>>();

  constructor(
    /** The relay's own database (raw SQL: the worker loads no ORM). */
    private readonly db: Pick<pg.Pool, 'query'>,
    private readonly log: Logger,
    private readonly opts: { historyEveryMs?: number; dedupeMs?: number; detailsEveryMs?: number } = {},
  ) {}

  get(component: ComponentName): ComponentStatus | undefined {
    return this.current.get(component);
  }

  all(): Partial<Record<ComponentName, ComponentStatus>> {
    return Object.fromEntries(this.current);
  }

  /** Calls `listener` synchronously on every status change; a throwing listener is logged, never fatal. */
  onChange(listener: (change: StatusChange) => void): void {
    this.changeListeners.push(listener);
  }

  /** Records the state of a component; persists when it changed or the history is due. */
  async set(
    component: ComponentName,
    next: { status: ComponentState; latencyMs?: number; error?: string; details?: Record<string, unknown> },
  ): Promise<void> {
    const now = new Date();
    const prev = this.current.get(component);
    const changed = !prev || prev.status !== next.status;
    const entry: ComponentStatus = {
      status: next.status,
      latencyMs: next.latencyMs,
      lastError: next.error ?? (changed ? undefined : prev?.lastError),
      since: changed ? now : prev.since,
      updatedAt: now,
      details: next.details,
    };
    this.current.set(component, entry);
    if (changed) {
      this.log.info({ component, status: next.status, error: next.error }, 'component status');
      const change = { component, from: prev?.status, to: next.status, error: next.error, at: now };
      for (const listener of this.changeListeners) {
        try {
          listener(change);
        } catch (err) {
          this.log.error({ component, err: coerceError(err) }, 'a status change listener failed');
        }
      }
    }
    const due =
      now.getTime() - (this.lastHistoryAt.get(component) ?? 0) >= (this.opts.historyEveryMs ?? 60_000);
    if (!changed && !due) return;
    this.lastHistoryAt.set(component, now.getTime());
    // Behind the component's previous write: `connecting` then `up` a moment later (a Reconnect
    // whose reconcile was quick) ran on two connections of the pool and could land as `up` then
    // `connecting`, leaving the panel on `connecting` while the worker was up.
    const write = (this.writes.get(component) ?? Promise.resolve()).then(() =>
      this.persist(component, entry, next.error, changed),
    );
    this.writes.set(component, write);
    await write;
    if (this.writes.get(component) === write) this.writes.delete(component);
  }

  /** Writes one state of a component: `component_status`, a history row, and a NOTIFY on a change. Never throws. */
  private async persist(
    component: ComponentName,
    entry: ComponentStatus,
    error: string | undefined,
    changed: boolean,
  ): Promise<void> {
    try {
      // Without new details the row keeps the ones it has.
      await this.db.query(
        `INSERT INTO component_status (component, status, latency_ms, last_error, since, details, updated_at)
         VALUES ($1, $2::connection_state, $3, $4, $5, $6::jsonb, now())
         ON CONFLICT (component) DO UPDATE SET status = EXCLUDED.status, latency_ms = EXCLUDED.latency_ms,
           last_error = EXCLUDED.last_error, since = EXCLUDED.since, updated_at = now(),
           details = COALESCE(EXCLUDED.details, component_status.details)`,
        [
          component,
          entry.status,
          entry.latencyMs ?? null,
          entry.lastError ?? null,
          entry.since,
          json(entry.details),
        ],
      );
      await this.db.query(
        `INSERT INTO connection_status_history (component, status, latency_ms, error)
         VALUES ($1, $2::connection_state, $3, $4)`,
        [component, entry.status, entry.latencyMs ?? null, error ?? null],
      );
      this.writtenDetails.set(component, JSON.stringify(entry.details ?? null));
      if (changed) await this.notify({ kind: 'status', component, status: entry.status });
    } catch (err) {
      this.log.warn({ component, err: coerceError(err) }, 'could not record component status');
    }
  }

  /**
   * Updates a component's details (e.g. the active-call count) without a status change: kept
   * in memory at once, written to `component_status` when they differ from what was written,
   * at most once per `detailsEveryMs` per component (the last value always lands).
   */
  setDetails(component: ComponentName, details: Record<string, unknown>): void {
    const entry = this.current.get(component);
    if (!entry) return;
    entry.details = details;
    if (this.detailsTimers.has(component)) return;
    const wait = Math.max(
      0,
      (this.lastDetailsAt.get(component) ?? 0) + (this.opts.detailsEveryMs ?? 1000) - Date.now(),
    );
    const timer = setTimeout(() => void this.writeDetails(component), wait);
    timer.unref();
    this.detailsTimers.set(component, timer);
  }

  private async writeDetails(component: ComponentName): Promise<void> {
    this.detailsTimers.delete(component);
    const details = this.current.get(component)?.details;
    const text = JSON.stringify(details ?? null);
    if (text === this.writtenDetails.get(component)) return;
    this.lastDetailsAt.set(component, Date.now());
    this.writtenDetails.set(component, text);
    try {
      await this.db.query(
        `UPDATE component_status SET details = $2::jsonb, updated_at = now() WHERE component = $1`,
        [component, json(details)],
      );
    } catch (err) {
      this.writtenDetails.delete(component);
      this.log.warn({ component, err: coerceError(err) }, 'could not record component details');
    }
  }

  /** Adds an entry to the error feed (deduplicated per component+code within `dedupeMs`). */
  async reportError(
    component: ComponentName | 'api' | 'worker',
    severity: Severity,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const key = `${component}:${code}`;
    const now = Date.now();
    if (now - (this.lastErrorAt.get(key) ?? 0) < (this.opts.dedupeMs ?? 30_000)) return;
    this.lastErrorAt.set(key, now);
    this.log[severity === 'info' ? 'info' : severity === 'warning' ? 'warn' : 'error'](
      { component, code, details },
      message,
    );
    try {
      const res = await this.db.query<{ id: string }>(
        `INSERT INTO error_log (component, severity, code, message, details)
         VALUES ($1, $2::severity, $3, $4, $5::jsonb) RETURNING id::text`,
        [component, severity, code, message, json(details)],
      );
      await this.notify({ kind: 'error', id: res.rows[0]!.id, component, severity, code });
    } catch (err) {
      this.log.warn({ component, err: coerceError(err) }, 'could not record error');
    }
  }

  async notify(payload: Record<string, unknown>): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(payload)]);
  }
}
