import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { AgentState, NewEvent } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { PbxHttp } from '../xapi/pbx-http.js';
import { agentChangedEvent, changesOf, membership, readingOf } from './agent-state.js';
import { deleteAgentStates, loadAgentStates, saveAgentStates } from './agent-queue-store.js';
import { readQueues, readUsers, requestsFor, type XapiQueue } from './xapi-agents.js';

export interface AgentStateSourceOptions {
  http: PbxHttp;
  /** The relay's own database (agent_states). */
  pool: pg.Pool;
  /** Appends the events (holding them while the own database is down). */
  append: (events: NewEvent[]) => Promise<unknown>;
  status: StatusBoard;
  /** Users are read at most this often, ms (`AGENT_STATE_POLL_MS`). */
  pollMs: number;
  /** Queue membership is read this often, ms (`AGENT_QUEUES_POLL_MS`). */
  queuesEveryMs: number;
  /** XAPI requests per minute the source may spend; a larger PBX is polled less often. */
  maxRequestsPerMinute: number;
  /** Profile names that mean DND (any case), e.g. `Out of office`. */
  dndProfiles: string[];
  now?: () => number;
}

/** A queue as the relay knows it from `Queues?$expand=Agents`. */
export interface KnownQueue {
  number: string;
  name: string | null;
  agents: string[];
}

interface AgentSourceEvents {
  /** States changed (events appended or held), or the queue list changed. */
  changed: [];
}

/**
 * Agent state from XAPI, at a bounded cost. States: not started → loaded (the states stored
 * at the last run) → polling: every interval, `Queues?$expand=Agents` when due (every
 * `queuesEveryMs`) and `Users` (pages of 100). The interval is `pollMs`, or longer when the
 * PBX has so many users that the pages would exceed `maxRequestsPerMinute`. A user seen for
 * the first time is stored without an event; a change against the stored state (also one that
 * happened while the relay was stopped) is an `agent.status_changed`. A failed read is logged
 * (once per kind) and waits for the next interval; the XAPI health probe reports the link.
 */
export class AgentStateSource extends EventEmitter<AgentSourceEvents> {
  private states = new Map<string, AgentState>();
  private known: KnownQueue[] = [];
  private queuesReadAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly dnd: Set<string>;
  private readonly now: () => number;
  /** XAPI requests made since start (benchmarks, metrics). */
  requests = 0;
  /** The interval in use, ms. */
  intervalMs: number;

  constructor(
    private readonly o: AgentStateSourceOptions,
    private readonly log: Logger,
  ) {
    super();
    this.dnd = new Set(o.dndProfiles.map((p) => p.trim().toLowerCase()));
    this.now = o.now ?? Date.now;
    this.intervalMs = o.pollMs;
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      this.states = await loadAgentStates(this.o.pool);
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not read the stored agent states; starting blank');
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Current states, by extension number. */
  agents(): AgentState[] {
    return [...this.states.values()].sort((a, b) => a.extension.localeCompare(b.extension));
  }

  /** The queues and their agents as last read. */
  queues(): KnownQueue[] {
    return this.known;
  }

  /** Polls now (tests; waits for a poll in progress first). */
  async pollOnce(): Promise<void> {
    await this.running;
    await this.poll();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((err: unknown) => this.failed(err))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs);
        });
    }, ms);
  }

  private async failed(err: unknown): Promise<void> {
    const e = coerceError(err);
    this.log.debug({ err: e }, 'reading agent state from XAPI failed');
    await this.o.status.reportError(
      'xapi',
      'warning',
      'AGENT_STATE_READ_FAILED',
      `agent state: ${e.message}`,
    );
  }

  private async poll(): Promise<void> {
    let queuesChanged = false;
    if (this.now() - this.queuesReadAt >= this.o.queuesEveryMs) {
      const queues = await readQueues(this.o.http);
      this.requests += requestsFor(queues.length);
      this.queuesReadAt = this.now();
      queuesChanged = this.setQueues(queues);
    }
    const users = await readUsers(this.o.http);
    this.requests += requestsFor(users.length);
    this.intervalMs = this.intervalFor(users.length);
    const changed = await this.apply(users);
    if (changed || queuesChanged) this.emit('changed');
  }

  /** `pollMs`, or longer so that user pages plus queue reads stay within the request budget. */
  private intervalFor(users: number): number {
    const perPoll =
      requestsFor(users) + (requestsFor(this.known.length) * this.o.pollMs) / this.o.queuesEveryMs;
    return Math.max(this.o.pollMs, Math.ceil((perPoll * 60_000) / this.o.maxRequestsPerMinute));
  }

  private setQueues(queues: XapiQueue[]): boolean {
    const next = queues.map((q) => ({
      number: q.Number!,
      name: q.Name ?? null,
      agents: (q.Agents ?? []).map((a) => a?.Number).filter((n): n is string => !!n),
    }));
    const same = JSON.stringify(next) === JSON.stringify(this.known);
    this.known = next;
    return !same;
  }

  /** Compares a Users read with the states; appends change events, stores first sights. */
  private async apply(users: Awaited<ReturnType<typeof readUsers>>): Promise<boolean> {
    const at = new Date(this.now());
    const members = membership(this.known);
    const events: NewEvent[] = [];
    const firstSights: AgentState[] = [];
    const seen = new Set<string>();
    for (const u of users) {
      const now = readingOf(u, members, this.dnd);
      seen.add(now.extension);
      const before = this.states.get(now.extension);
      if (!before) {
        const state = { ...now, since: at.toISOString() };
        this.states.set(now.extension, state);
        firstSights.push(state);
        continue;
      }
      const changed = changesOf(before, now);
      if (changed.length === 0) {
        if (before.name !== now.name) this.states.set(now.extension, { ...before, name: now.name });
        continue;
      }
      events.push(agentChangedEvent(before, now, changed, at));
      this.states.set(now.extension, { ...now, since: at.toISOString() });
    }
    const gone = [...this.states.keys()].filter((ext) => !seen.has(ext));
    for (const ext of gone) this.states.delete(ext);
    if (events.length) await this.o.append(events);
    try {
      if (firstSights.length) await saveAgentStates(this.o.pool, firstSights);
      await deleteAgentStates(this.o.pool, gone);
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not store agent states');
    }
    return events.length > 0 || firstSights.length > 0 || gone.length > 0;
  }
}
