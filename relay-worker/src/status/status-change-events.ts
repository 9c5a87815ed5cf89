import type pg from 'pg';
import {
  eventId,
  pbxSourceSchema,
  sourceStateSchema,
  type EventData,
  type NewEvent,
  type PbxSource,
  type SourceState,
} from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { EventStore } from '../events/event-store.js';
import { HoldingAppender } from '../events/holding-appender.js';
import type { StatusBoard, StatusChange } from './status-board.js';

export interface StatusChangeEventsOptions {
  /** Wait before appending events whose append failed, again (default 5000 ms). */
  retryMs?: number;
  /** Failed events kept for retry; older ones are dropped with a warning (default 100). */
  maxPending?: number;
}

/**
 * Turns status changes of the PBX sources (`db3cx`, `xapi`, `callcontrol`) into
 * `relay.status_changed` events. Per source it remembers the last state it reported (from
 * the event log at start, so a restart does not repeat it):
 * - `connecting` and `disabled` are not states it reports, and leave that memory alone;
 * - the same state again reports nothing, so there are never two events for one state in a row;
 * - `up` with nothing remembered (start-up) is taken silently as the starting point;
 * - any other change is appended at once as an event from the remembered state (null if none).
 * No debouncing: a flap up → down → up gives both events. Appends run one at a time in order;
 * when one fails (the relay's own database is down) it is logged and the events are kept and
 * appended again later with the same deterministic ids, so a retry never doubles an event.
 */
export class StatusChangeEvents {
  private readonly last = new Map<PbxSource, SourceState>();
  private pending: NewEvent[] = [];
  private readonly appender: HoldingAppender;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    events: EventStore,
    private readonly log: Logger,
    private readonly opts: StatusChangeEventsOptions = {},
  ) {
    this.appender = new HoldingAppender(events, log, 'relay.status_changed events', opts.maxPending ?? 100);
  }

  /** Reads the last reported state of each source from the event log (on failure: logged, starts blank). */
  async load(): Promise<void> {
    try {
      for (const component of pbxSourceSchema.options) {
        const res = await this.pool.query<{ to: string | null }>(
          `SELECT data->>'to' AS to FROM events
            WHERE type = 'relay.status_changed' AND data->>'component' = $1
            ORDER BY sequence DESC LIMIT 1`,
          [component],
        );
        const to = sourceStateSchema.safeParse(res.rows[0]?.to);
        if (to.success) this.last.set(component, to.data);
      }
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not read the last reported source states');
    }
  }

  /**
   * Follows a StatusBoard: takes the states it already holds as if just reported (an `up`
   * source becomes the starting point silently), then observes every change.
   */
  attach(board: StatusBoard): void {
    for (const [component, entry] of Object.entries(board.all()))
      this.observe({
        component: component as StatusChange['component'],
        from: undefined,
        to: entry.status,
        error: entry.lastError,
        at: entry.since,
      });
    board.onChange((change) => this.observe(change));
  }

  /** A StatusBoard change listener: never throws, never waits. */
  observe(change: StatusChange): void {
    const component = pbxSourceSchema.safeParse(change.component);
    const to = sourceStateSchema.safeParse(change.to);
    if (this.stopped || !component.success || !to.success) return;
    const from = this.last.get(component.data) ?? null;
    if (from === to.data) return;
    this.last.set(component.data, to.data);
    if (from === null && to.data === 'up') return;
    this.pending.push(statusChangedEvent(component.data, from, to.data, change.error, change.at));
    this.flush();
  }

  /** Resolves when every append started so far has finished (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.chain;
  }

  private flush(): void {
    this.chain = this.chain.then(() => this.appendPending());
  }

  private async appendPending(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length && !this.appender.holding) return;
    if (!(await this.appender.append(batch)) && !this.stopped) {
      this.retryTimer = setTimeout(() => this.flush(), this.opts.retryMs ?? 5000);
      this.retryTimer.unref();
    }
  }
}

/** The `relay.status_changed` event of one transition; its id depends on the component, time and state only. */
export function statusChangedEvent(
  component: PbxSource,
  from: SourceState | null,
  to: SourceState,
  error: string | undefined,
  at: Date,
): NewEvent {
  const data: EventData<'relay.status_changed'> = {
    component,
    from,
    to,
    error: error ?? null,
    at: at.toISOString(),
  };
  return {
    id: eventId('relay.status_changed', component, `${data.at}|${to}`),
    type: 'relay.status_changed',
    occurredAt: at,
    extensions: [],
    dids: [],
    queues: [],
    data,
  };
}
