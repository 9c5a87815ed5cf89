import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { ActiveCall, AgentState, EventData, NewEvent, QueueStats } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { StoredEvent } from '../../events/event-store.js';
import type { KnownQueue } from './agent-state-source.js';
import {
  busyExtensions,
  dayIn,
  queueFigures,
  queueStatsEvent,
  statsAt,
  waitsIn,
  type DayCounts,
  type QueueFigures,
} from './queue-stats.js';
import { loadDayCounts, loadQueueFigures } from './queue-stats-store.js';

export interface QueueStatsSourceOptions {
  /** The live calls (Call Control state). */
  calls: () => ActiveCall[];
  /** Agent states and queue membership, when the agent source runs. */
  agents:
    | (Pick<EventEmitter<{ changed: [] }>, 'on' | 'off'> & {
        agents(): AgentState[];
        queues(): KnownQueue[];
      })
    | undefined;
  /** The event store: call events trigger a recompute and are counted. */
  events: Pick<EventEmitter<{ appended: [StoredEvent[]] }>, 'on' | 'off'>;
  append: (events: NewEvent[]) => Promise<unknown>;
  /** The relay's own database (today's counts, the last figures). */
  pool: pg.Pool;
  /** IANA time zone of "today". */
  timeZone: string;
  /** At most one queue.stats per queue this often, ms (1000). */
  minIntervalMs: number;
  /** Recompute at least this often, ms: waits between polling waves, the day's rollover. */
  tickMs: number;
  now?: () => number;
}

/** Least time between two runs asked for by call events (ms). */
const EVENT_RUN_GAP_MS = 100;

/**
 * Queue figures from the live call state and the agent states. Recomputed when call events are
 * appended, when agent states change and every `tickMs`; a queue whose figures (all but the
 * running wait) differ from the last ones sent gets a `queue.stats`, at most one per
 * `minIntervalMs` (a change inside that window is sent when it ends). Today's answered and
 * abandoned counts come from the event log (so a restart keeps them) and then from each new
 * `call.answered` (the first agent answer of a queue call) and `call.ended` (`abandoned`).
 */
export class QueueStatsSource extends EventEmitter<{ changed: [] }> {
  private day = '';
  private counts = new Map<string, DayCounts>();
  private answeredIds = new Map<string, Set<string>>();
  private readonly lastKey = new Map<string, string>();
  private readonly lastEmitAt = new Map<string, number>();
  private readonly figures = new Map<string, QueueFigures>();
  private readonly waitingSince = new Map<string, number>();
  private readonly now: () => number;
  private tick: NodeJS.Timeout | undefined;
  private later: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private started = false;
  /** When the last run started (monotonic ms), and the run call events asked for meanwhile. */
  private lastRunAt = -Infinity;
  private eventRun: NodeJS.Timeout | undefined;
  private readonly onAppended = (events: StoredEvent[]) => this.count(events);
  private readonly onAgents = () => void this.recompute();

  constructor(
    private readonly o: QueueStatsSourceOptions,
    private readonly log: Logger,
  ) {
    super();
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.day = dayIn(this.o.timeZone, new Date(this.now()));
    try {
      const loaded = await loadDayCounts(this.o.pool, this.o.timeZone, this.day);
      this.counts = loaded.counts;
      this.answeredIds = loaded.answeredIds;
      for (const [q, f] of await loadQueueFigures(this.o.pool)) this.lastKey.set(q, JSON.stringify(f));
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, "could not read today's queue figures; counting from now");
    }
    this.o.events.on('appended', this.onAppended);
    this.o.agents?.on('changed', this.onAgents);
    this.tick = setInterval(() => void this.recompute(), this.o.tickMs);
    this.started = true;
    await this.recompute();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.tick);
    clearTimeout(this.later);
    clearTimeout(this.eventRun);
    this.o.events.off('appended', this.onAppended);
    this.o.agents?.off('changed', this.onAgents);
    await this.chain;
  }

  /** Every queue's figures as of now (the running wait computed now). */
  stats(): QueueStats[] {
    const now = this.now();
    return [...this.figures.values()]
      .sort((a, b) => a.queue.localeCompare(b.queue))
      .map((f) => statsAt(f, now));
  }

  /** Recomputes after the current run (several triggers in one turn make one run). */
  recompute(): Promise<void> {
    if (!this.started || this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        await this.run();
      } catch (err) {
        this.log.warn({ err: coerceError(err) }, 'queue figures failed');
      }
    });
    return this.chain;
  }

  private count(events: StoredEvent[]): void {
    let calls = false;
    for (const e of events) {
      if (!e.type.startsWith('call.')) continue;
      calls = true;
      if (!e.callId || dayIn(this.o.timeZone, e.occurredAt) !== this.day) continue;
      const answered =
        e.type === 'call.answered' && (e.data as EventData<'call.answered'>).extensionKind === 'extension';
      const abandoned =
        e.type === 'call.ended' && (e.data as EventData<'call.ended'>).outcome === 'abandoned';
      for (const q of answered || abandoned ? e.queues : []) {
        const c = this.countsOf(q);
        if (abandoned) c.abandoned++;
        else {
          const ids = this.answeredIds.get(q) ?? new Set<string>();
          this.answeredIds.set(q, ids);
          if (!ids.has(e.callId)) {
            ids.add(e.callId);
            c.answered++;
          }
        }
      }
    }
    if (calls) this.recomputeAfterEvents();
  }

  /**
   * Call events arrive in every append, hundreds a second on a busy PBX, and each run maps every
   * live call: runs they ask for are at least {@link EVENT_RUN_GAP_MS} apart (the counts above
   * are kept at once; only the figures wait, far less than the once-a-second emission limit).
   */
  private recomputeAfterEvents(): void {
    if (this.eventRun) return;
    const wait = this.lastRunAt + EVENT_RUN_GAP_MS - performance.now();
    if (wait <= 0) {
      void this.recompute();
      return;
    }
    this.eventRun = setTimeout(() => {
      this.eventRun = undefined;
      void this.recompute();
    }, wait);
  }

  private countsOf(queue: string): DayCounts {
    let c = this.counts.get(queue);
    if (!c) this.counts.set(queue, (c = { answered: 0, abandoned: 0 }));
    return c;
  }

  private async run(): Promise<void> {
    this.lastRunAt = performance.now();
    const now = this.now();
    const day = dayIn(this.o.timeZone, new Date(now));
    if (day !== this.day) {
      this.day = day;
      this.counts = new Map<string, DayCounts>();
      this.answeredIds = new Map<string, Set<string>>();
    }
    const calls = this.o.calls();
    const queues = this.queueList(calls);
    this.trackWaits(calls, queues, now);
    const agents = new Map((this.o.agents?.agents() ?? []).map((a) => [a.extension, a]));
    const busy = busyExtensions(calls);
    const out: NewEvent[] = [];
    let soonest = Infinity;
    for (const q of queues) {
      const f = queueFigures({
        ...q,
        queue: q.number,
        agents,
        calls,
        busy,
        waitingSince: this.waitingSince,
        counts: this.countsOf(q.number),
        day,
      });
      this.figures.set(q.number, f);
      const key = JSON.stringify(f);
      if (key === this.lastKey.get(q.number)) continue;
      const wait = (this.lastEmitAt.get(q.number) ?? -Infinity) + this.o.minIntervalMs - now;
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        continue;
      }
      this.lastKey.set(q.number, key);
      this.lastEmitAt.set(q.number, now);
      out.push(queueStatsEvent(statsAt(f, now), q.members));
    }
    if (soonest < Infinity) {
      clearTimeout(this.later);
      this.later = setTimeout(() => void this.recompute(), soonest);
    }
    if (out.length) {
      await this.o.append(out);
      this.emit('changed');
    }
  }

  /** The known queues with their agents, plus any queue a live call is in. */
  private queueList(calls: ActiveCall[]): { number: string; name: string | null; members: string[] }[] {
    const list = (this.o.agents?.queues() ?? []).map((q) => ({
      number: q.number,
      name: q.name,
      members: q.agents,
    }));
    const have = new Set(list.map((q) => q.number));
    for (const c of calls)
      if (c.queue && !have.has(c.queue)) {
        have.add(c.queue);
        list.push({ number: c.queue, name: null, members: [] });
      }
    return list;
  }

  /** Remembers when each waiting call was first seen waiting (at start-up: when it began). */
  private trackWaits(calls: ActiveCall[], queues: { number: string }[], now: number): void {
    const waiting = new Set<string>();
    for (const c of calls)
      if (queues.some((q) => waitsIn(c, q.number))) {
        waiting.add(c.callId);
        if (!this.waitingSince.has(c.callId))
          this.waitingSince.set(c.callId, this.figures.size ? now : Math.min(now, Date.parse(c.startedAt)));
      }
    for (const id of this.waitingSince.keys()) if (!waiting.has(id)) this.waitingSince.delete(id);
  }
}
