import PQueue from 'p-queue';
import type pg from 'pg';
import type { NewEvent } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { EventStore } from '../../events/event-store.js';
import { HoldingAppender } from '../../events/holding-appender.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { CallState } from '../call-state.js';
import { PbxError, type PbxErrorKind } from '../pbx-error.js';
import type { CallControlRest } from './callcontrol-rest.js';
import type { CallControlSocket } from './callcontrol-socket.js';
import { CallStateStore } from './call-state-store.js';
import { parseFrame, parseParticipantEntity, type FrameProblem } from './ws-frame.js';

/** Events held while the own database is down (about 10 minutes of a busy PBX). */
const MAX_UNSAVED_EVENTS = 50_000;

/** Participant GETs in flight at once (frames arrive faster than one GET at a time can follow). */
const MAX_PARTICIPANT_GETS = 32;

/** A participant GET: its answer or its error, and the reconcile epoch it was asked in. */
type Fetched =
  | { participant: Awaited<ReturnType<CallControlRest['participant']>>; epoch: number }
  | { err: unknown; epoch: number };

export interface CallControlSourceOptions {
  socket: CallControlSocket;
  rest: CallControlRest;
  state: CallState;
  events: EventStore;
  status: StatusBoard;
  ownPool: pg.Pool;
  /** Full reconcile against `GET /callcontrol` this often (ms). */
  reconcileMs: number;
  /** How often empty calls are checked for their end (ms). */
  sweepMs: number;
  /** Callids the PBX still reports active (XAPI ActiveCalls), or null when unknown. */
  activeCallIds?: () => Promise<Set<number> | null>;
}

/** Backoff of the ActiveCalls end check after a failure: 1 s, 2 s, 4 s … up to 30 s. */
const END_CHECK_BACKOFF_MS = [1000, 30_000] as const;

/**
 * The Call Control source. States: `connecting` → socket open → snapshot taken (`up`; the
 * socket is opened BEFORE the snapshot so nothing between them is lost) → frames applied in
 * arrival order, one at a time (Upsert → GET entity, 404 = already gone; Remove → drop) →
 * periodic reconcile against the snapshot → socket lost: `down`, the socket reconnects with
 * backoff and the next open reconciles again, so a hang-up missed while disconnected still
 * yields `call.ended`. Malformed frames and bodies are logged once per kind and skipped.
 *
 * Throughput: an Upsert's GET is sent when the frame arrives (up to {@link MAX_PARTICIPANT_GETS}
 * at once; a second Upsert of the same participant asks after the first one's answer, and an
 * answer older than the last reconcile's snapshot is asked again), while the answers are still
 * applied strictly in arrival order. Derived events go to the event store in batches, one
 * append in flight at a time, so frames keep being applied while an append commits; the saved
 * call state is taken together with a batch and written after it is stored, so it never runs
 * ahead of the events.
 */
export class CallControlSource {
  private chain: Promise<void> = Promise.resolve();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private readonly warned = new Set<string>();
  private readonly store: CallStateStore;
  private stopped = true;
  /** Snapshot failures in a row; drives the retry backoff. */
  private snapshotFailures = 0;
  /** ActiveCalls end-check failures in a row, and when the check may be tried again (ms). */
  private endCheck = { failures: 0, retryAt: 0 };
  /** A periodic sweep's ActiveCalls check is out (one at a time). */
  private endCheckAsked = false;
  /** Events the own database refused (outage), stored first on the next append. */
  private readonly unsaved: HoldingAppender;
  /** Frames skipped as malformed, per kind (tests, stats). */
  readonly skipped: Record<string, number> = {};
  private readonly gets = new PQueue({ concurrency: MAX_PARTICIPANT_GETS });
  /** The newest GET per participant entity, so a later Upsert of it asks after that one's answer. */
  private readonly fetching = new Map<string, { answer: Promise<Fetched>; started: boolean }>();
  /** Bumped when a reconcile starts: a GET asked before it is asked again. */
  private epoch = 0;
  /** Derived events not yet handed to the event store, in order. */
  private pending: NewEvent[] = [];
  private flushing: Promise<void> | undefined;
  /** The save timer fired: the next batch carries a snapshot of the state to save. */
  private saveWanted = false;
  /** The call-state save in progress, and the newest snapshot waiting for it (off the events' path). */
  private saving: Promise<void> | undefined;
  private nextSnapshot: ReturnType<CallState['snapshot']> | null = null;

  constructor(
    private readonly o: CallControlSourceOptions,
    private readonly log: Logger,
  ) {
    this.store = new CallStateStore(o.ownPool);
    this.unsaved = new HoldingAppender(o.events, log, 'call events', MAX_UNSAVED_EVENTS);
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      this.o.state.restore(await this.store.load());
    } catch (err) {
      this.log.warn({ err: coerceError(err) }, 'could not load the saved call state');
    }
    await this.o.status.set('callcontrol', { status: 'connecting' });
    this.o.socket.on('open', () => this.enqueue(() => this.reconcile('connect')));
    this.o.socket.on('message', (text) => this.onMessage(text));
    this.o.socket.on('down', (reason, kind) => void this.onDown(reason, kind));
    this.o.socket.start();
    this.reconcileTimer = setInterval(() => {
      if (this.o.socket.isOpen) this.enqueue(() => this.reconcile('periodic'));
    }, this.o.reconcileMs);
    this.sweepTimer = setInterval(() => this.sweepSoon(), this.o.sweepMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reconcileTimer);
    clearInterval(this.sweepTimer);
    clearTimeout(this.saveTimer);
    clearTimeout(this.soonTimer);
    this.o.socket.stop();
    await this.idle();
    this.nextSnapshot = null;
    await this.saving;
    await this.store.save(this.o.state.snapshot()).catch(() => undefined);
  }

  /** Control command `reconnect`: a fresh token and socket, then a full reconcile. */
  reconnect(): string {
    void this.o.status.set('callcontrol', { status: 'connecting' });
    this.o.socket.reconnectNow();
    return 'callcontrol reconnecting';
  }

  /** True while the WebSocket is open. */
  get socketOpen(): boolean {
    return this.o.socket.isOpen;
  }

  /** Waits until every queued frame has been applied and its events handed to the store (tests). */
  async idle(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.chain;
      await last;
      await this.flushing;
      await this.saving;
    } while (last !== this.chain || this.flushing || this.saving);
  }

  /** Runs a reconcile now (tests, control); resolves when its events are stored. */
  reconcileNow(): Promise<void> {
    this.enqueue(() => this.reconcile('manual'));
    return this.idle();
  }

  /**
   * Runs `fn` after every queued task and before any later one, once their events are stored:
   * the call state then matches the events appended so far (snapshot-then-stream reads it
   * here). `fn` must be synchronous.
   */
  exclusive<T>(fn: () => T): Promise<T> {
    const run = this.chain.then(async () => {
      await this.drainEvents();
      return fn();
    });
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Queues a task behind every earlier one (frames are applied strictly in arrival order). */
  private enqueue(task: () => Promise<void> | void): void {
    this.chain = this.chain
      .then(task)
      .catch((err: unknown) => this.log.error({ err: coerceError(err) }, 'call control task failed'));
  }

  private onMessage(text: string): void {
    const f = parseFrame(text);
    if ('problem' in f) return this.skip(f.problem, { sample: text.slice(0, 200) });
    if (f.eventType !== 0 && f.eventType !== 1) return; // DTMF, prompts, responses: not call state
    const target = parseParticipantEntity(f.entity);
    if (!target) {
      if (!f.entity.startsWith('/callcontrol/')) this.skip('unknown-entity', { entity: f.entity });
      return;
    }
    if (f.eventType === 1) {
      this.enqueue(() => {
        this.o.state.remove(target.dn, target.id);
        this.scheduleSave();
      });
      return;
    }
    const fetched = this.prefetch(f.entity);
    this.enqueue(async () => {
      let r = await fetched;
      // Asked before the latest snapshot was taken: its answer may be older than what the snapshot applied.
      if (r.epoch !== this.epoch) r = await this.prefetch(f.entity);
      let p;
      try {
        if ('err' in r) throw r.err;
        p = r.participant;
      } catch (err) {
        if (err instanceof PbxError && err.kind === 'MALFORMED')
          return this.skip('malformed-response', { entity: f.entity, error: err.message });
        if (err instanceof PbxError && err.kind === 'TOO_LARGE')
          return this.skip('oversized-response', { entity: f.entity });
        // The state of this participant is unknown until the next snapshot: ask for one soon.
        const e = coerceError(err);
        await this.o.status.reportError(
          'callcontrol',
          'warning',
          'CALLCONTROL_GET_FAILED',
          `GET ${f.entity} failed: ${e.message}`,
        );
        this.reconcileSoon();
        return;
      }
      if (!p) {
        // Gone before we asked: the Remove follows (or was missed); the reconcile settles it.
        this.log.debug({ entity: f.entity }, 'participant already gone (404 after Upsert)');
        return;
      }
      this.emit(this.o.state.upsert(p));
    });
  }

  /**
   * Sends a participant GET now (bounded), after any earlier GET of the same entity. An Upsert
   * that arrives while an earlier GET of its participant is still waiting for a slot shares
   * that GET: its answer is asked after this frame arrived, so it is new enough for both.
   */
  private prefetch(entity: string): Promise<Fetched> {
    const before = this.fetching.get(entity);
    if (before && !before.started) return before.answer;
    const entry: { answer: Promise<Fetched>; started: boolean } = { answer: undefined!, started: false };
    entry.answer = this.gets.add(async (): Promise<Fetched> => {
      await before?.answer;
      entry.started = true;
      const epoch = this.epoch;
      try {
        return { participant: await this.o.rest.participant(entity), epoch };
      } catch (err) {
        return { err, epoch };
      }
    }) as Promise<Fetched>;
    this.fetching.set(entity, entry);
    void entry.answer.then(() => {
      if (this.fetching.get(entity) === entry) this.fetching.delete(entity);
    });
    return entry.answer;
  }

  /** Schedules one extra reconcile (after a failed GET or snapshot), sooner than the periodic one. */
  private reconcileSoon(delayMs = 1000): void {
    if (this.soonTimer || this.stopped) return;
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      if (this.o.socket.isOpen) this.enqueue(() => this.reconcile('after-failure'));
    }, delayMs);
  }

  private async reconcile(reason: string): Promise<void> {
    if (this.stopped) return;
    this.epoch++;
    try {
      const snap = await this.o.rest.snapshot();
      for (const [dn, type] of snap.dnTypes) this.o.state.setDnType(dn, type);
      if (snap.skipped) this.skip('malformed-response', { entity: '/callcontrol', count: snap.skipped });
      this.snapshotFailures = 0;
      this.emit(this.o.state.reconcile(snap.participants));
      await this.sweep();
      await this.o.status.set('callcontrol', {
        status: this.o.socket.isOpen ? 'up' : 'degraded',
        latencyMs: Math.round(snap.latencyMs),
        details: { activeCalls: this.o.state.callIds().length, lastReconcile: reason },
      });
    } catch (err) {
      const e = coerceError(err);
      const code = err instanceof PbxError ? `CALLCONTROL_${err.kind}` : 'CALLCONTROL_SNAPSHOT_FAILED';
      // A refusal an admin must fix is critical whichever path meets it first: the snapshot
      // and the WebSocket report it under the same code, and the feed keeps only the first.
      const refused = err instanceof PbxError && (err.kind === 'FORBIDDEN' || err.kind === 'LICENSE');
      await this.o.status.set('callcontrol', { status: refused ? 'down' : 'degraded', error: e.message });
      await this.o.status.reportError(
        'callcontrol',
        refused ? 'critical' : 'error',
        code,
        `Call Control snapshot failed: ${e.message}`,
      );
      // Hang-ups missed while disconnected are only found by a snapshot: retry soon, backing
      // off 1 s, 2 s, 4 s … up to the periodic interval, instead of waiting a whole period.
      this.snapshotFailures += 1;
      this.reconcileSoon(Math.min(1000 * 2 ** (this.snapshotFailures - 1), this.o.reconcileMs));
    }
  }

  /** The reconcile's sweep, on the chain: the snapshot it follows is already a wait of its own. */
  private async sweep(): Promise<void> {
    const verdict = this.o.state.hasDueEnds() && this.o.activeCallIds ? await this.checkEnds() : () => false;
    this.emit(this.o.state.sweep(verdict));
  }

  /**
   * The periodic sweep. Its ActiveCalls check is asked off the frame chain and the verdict
   * applied on the chain when it comes: at 100 new calls/s some call is always due, and waiting
   * for the answer on the chain held every frame behind it (a stall of 70–100 ms each second in
   * the end-to-end benchmark). The verdict counts only for calls that were already due, empty
   * since the same moment, when it was asked; any other call gets `null` (unknown: it stays
   * open and is asked about at the next sweep). Every tick still sweeps once, so events held
   * during an own-database outage are retried.
   */
  private sweepSoon(): void {
    if (this.stopped) return;
    const check = this.o.activeCallIds;
    const due = check && !this.endCheckAsked ? this.o.state.dueEnds() : new Map<number, number>();
    if (!check || due.size === 0) {
      // Without XAPI a quiet grace period is the only evidence; with it, no call ends unasked.
      const verdict = check ? () => null : () => false;
      this.enqueue(() => {
        if (!this.stopped) this.emit(this.o.state.sweep(verdict));
      });
      return;
    }
    this.endCheckAsked = true;
    void this.checkEnds()
      .then((isAlive) =>
        this.enqueue(() => {
          if (this.stopped) return;
          this.emit(
            this.o.state.sweep((callid, emptySince) =>
              due.get(callid) === emptySince ? isAlive(callid) : null,
            ),
          );
        }),
      )
      .catch((err: unknown) => this.log.warn({ err: coerceError(err) }, 'end check failed'))
      .finally(() => {
        this.endCheckAsked = false;
      });
  }

  /**
   * Asks XAPI ActiveCalls which calls are still alive. A call ends only on positive evidence:
   * when the check fails (error, timeout, 400) or is backing off, every due call stays open
   * (`null`) and the check is tried again after 1 s, 2 s, 4 s … 30 s. The failure is logged once
   * per outage, not per call or per attempt.
   */
  private async checkEnds(): Promise<(callid: number) => boolean | null> {
    if (Date.now() < this.endCheck.retryAt) return () => null;
    let alive: Set<number> | null;
    try {
      alive = await this.o.activeCallIds!();
    } catch (err) {
      const e = coerceError(err);
      const failures = ++this.endCheck.failures;
      this.endCheck.retryAt =
        Date.now() + Math.min(END_CHECK_BACKOFF_MS[0] * 2 ** (failures - 1), END_CHECK_BACKOFF_MS[1]);
      if (failures === 1) {
        const message = `XAPI ActiveCalls failed, so hang-ups of calls with no visible participant cannot be confirmed; those calls stay open and the check is retried with backoff: ${e.message}`;
        this.log.warn({ err: e }, message);
        await this.o.status.reportError('callcontrol', 'warning', 'CALLCONTROL_END_CHECK_FAILED', message);
      }
      return () => null;
    }
    if (alive === null) return () => null;
    if (this.endCheck.failures)
      this.log.info(
        { failures: this.endCheck.failures },
        'XAPI ActiveCalls answers again: end checks resume',
      );
    this.endCheck = { failures: 0, retryAt: 0 };
    return (id) => alive.has(id);
  }

  private async onDown(reason: string, kind?: PbxErrorKind): Promise<void> {
    if (this.stopped) return;
    await this.o.status.set('callcontrol', { status: 'down', error: `WebSocket: ${reason}` });
    // A refusal an admin must fix (licence, role) is critical and logged under its own code.
    const refused = kind === 'LICENSE' || kind === 'FORBIDDEN';
    await this.o.status.reportError(
      'callcontrol',
      refused ? 'critical' : 'warning',
      refused ? `CALLCONTROL_${kind}` : 'CALLCONTROL_DISCONNECTED',
      `Call Control WebSocket down: ${reason}`,
    );
  }

  /** Keeps the active-call count the admin shows current between reconciles. */
  private publishActiveCalls(): void {
    const details = this.o.status.get('callcontrol')?.details ?? {};
    const activeCalls = this.o.state.callIds().length;
    if (details.activeCalls !== activeCalls)
      this.o.status.setDetails('callcontrol', { ...details, activeCalls });
  }

  /**
   * Hands events to the event store in order, in batches: the chain goes on applying frames
   * while an append commits. The call state has already moved on, so these events exist
   * nowhere else: during an own-database outage they are held and stored first on the next
   * append (the sweep emits every sweepMs).
   */
  private emit(events: NewEvent[]): void {
    if (events.length) this.pending.push(...events);
    this.scheduleSave();
    if (this.pending.length || this.unsaved.holding || this.saveWanted) this.flushEventsSoon();
  }

  /** Waits until every event emitted so far is stored (or held, while the own database is down). */
  private async drainEvents(): Promise<void> {
    if (this.pending.length || this.unsaved.holding) this.flushEventsSoon();
    while (this.flushing) await this.flushing;
  }

  /**
   * Starts {@link flushEvents} unless it runs. `flushing` is cleared in a callback, which always
   * runs after this assignment, even when the flush had nothing to wait for.
   */
  private flushEventsSoon(): void {
    if (this.flushing) return;
    const run: Promise<void> = this.flushEvents().finally(() => {
      if (this.flushing === run) this.flushing = undefined;
    });
    this.flushing = run;
  }

  private async flushEvents(): Promise<void> {
    for (;;) {
      const batch = this.pending;
      this.pending = [];
      if (!batch.length && !this.unsaved.holding && !this.saveWanted) return;
      // Taken with the batch: exactly the state these events come from, never ahead of what is stored.
      const snap = this.saveWanted ? this.o.state.snapshot() : null;
      this.saveWanted = false;
      const stored = batch.length || this.unsaved.holding ? await this.unsaved.append(batch) : true;
      if (batch.length) this.publishActiveCalls();
      if (snap && stored) this.saveInBackground(snap);
      if (!stored) {
        this.saveWanted ||= snap !== null;
        return; // the own database is down: the next events or the sweep try again
      }
    }
  }

  /**
   * Saves a snapshot after the events it comes from are stored, without holding up the next
   * events: one save at a time, in order, and a snapshot taken meanwhile replaces one still
   * waiting (only the newest matters).
   */
  private saveInBackground(snap: ReturnType<CallState['snapshot']>): void {
    this.nextSnapshot = snap;
    this.saving ??= (async () => {
      try {
        while (this.nextSnapshot) {
          const next = this.nextSnapshot;
          this.nextSnapshot = null;
          await this.store
            .save(next)
            .catch((err: unknown) => this.log.warn({ err: coerceError(err) }, 'could not save call state'));
        }
      } finally {
        this.saving = undefined;
      }
    })();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.saveWanted = true;
      this.flushEventsSoon();
    }, 500);
  }

  private skip(
    kind: FrameProblem | 'malformed-response' | 'oversized-response',
    ctx: Record<string, unknown>,
  ): void {
    this.skipped[kind] = (this.skipped[kind] ?? 0) + 1;
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.log.warn(
      { kind, ...ctx },
      `skipping a malformed Call Control message (${kind}; logged once per kind)`,
    );
    void this.o.status.reportError(
      'callcontrol',
      'warning',
      `CALLCONTROL_MALFORMED_${kind.toUpperCase().replace(/-/g, '_')}`,
      `skipped a malformed Call Control message (${kind})`,
    );
  }
}
