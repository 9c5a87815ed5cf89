import { EventEmitter } from 'node:events';
import WebSocket, { type ClientOptions } from 'ws';
import type { RelayEvent, Snapshot } from '../types.js';
import { AsyncQueue } from './async-queue.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { RecentIds } from './recent-ids.js';
import { RelayStreamError } from './relay-stream-error.js';
import { parseServerMessage, type HistoryLost, type Resumed, type ServerMessage } from './server-message.js';
import { streamUrl, type StreamFilter } from './stream-url.js';
import { fatalErrorOf } from './close-reasons.js';

/** Options of {@link RelayEventStream}. */
export interface RelayEventStreamOptions {
  /** Where the relay is served: `https://pbx.example.com`, `http://127.0.0.1:8082` (ws/wss also accepted). */
  baseUrl: string;
  /** API key `rk_<12 hex>.<secret>` with scope `events:subscribe`; sent as `Authorization: Bearer`. */
  apiKey: string;
  /** Server-side filters (types, extensions, dids, queues, departments). */
  filter?: StreamFilter;
  /** Resume after this sequence (e.g. the last one you stored before a restart); default: live only. */
  since?: string | number | bigint;
  /** Reconnect delays (default 500 ms doubling to 30 s, with jitter). */
  reconnect?: BackoffOptions;
  /** Event ids remembered to drop repeats across reconnects (default 10 000). */
  dedupeWindow?: number;
  /**
   * Start with a snapshot of the live state (active calls), then exactly the events after it:
   * the first item is `{ kind: 'snapshot' }`. Reconnects resume after the last sequence; when
   * the relay can no longer replay the gap (`historyLost`), a fresh snapshot follows at once.
   * Ignored when `since` is given (you hold the state up to it). Default false.
   */
  snapshot?: boolean;
  /** Validate each event with the event package's zod schemas (default true). */
  validate?: boolean;
  /** Items buffered per async iterator before the socket is paused (default 1000). */
  highWaterMark?: number;
  /** Extra `ws` options (TLS `ca`, `agent`, …). */
  wsOptions?: ClientOptions;
}

/** What an async iterator over the stream yields. */
export type StreamItem =
  | { kind: 'event'; event: RelayEvent }
  | { kind: 'historyLost'; info: HistoryLost }
  /** The live state as of `snapshot.sequence`: replace what you hold with it. */
  | { kind: 'snapshot'; snapshot: Snapshot };

/** Events of {@link RelayEventStream} for `on(...)`. */
export type RelayEventStreamEvents = {
  /** A relay event, once (de-duplicated by id), in sequence order. */
  event: [event: RelayEvent];
  /** The relay cannot replay everything since the last sequence: reconcile by other means. */
  historyLost: [info: HistoryLost];
  /** Connected (and authenticated); `since` is the sequence it resumes after, if any. */
  open: [info: { since: string | null }];
  /** The live state (with `snapshot: true`): replace what you hold; the events that follow come after it. */
  snapshot: [snapshot: Snapshot];
  /** The replay after a reconnect is complete; live events follow. */
  resumed: [info: Resumed];
  /**
   * The connection dropped or could not be made; the stream reconnects after `retryInMs`.
   * `code`: WebSocket close code (1001 relay shutdown, 4008 slow consumer, 1006 dropped);
   * `httpStatus`: the upgrade's refusal (429, 503, …), else null.
   */
  disconnect: [info: { code: number; httpStatus: number | null; reason: string; retryInMs: number }];
  /** A problem; `error.fatal` ones end the stream (then `close` follows). */
  error: [error: RelayStreamError];
  /** The stream has stopped (after `close()` or a fatal error). */
  close: [];
};

/**
 * A resuming consumer of the relay's WebSocket `/relay/ws`.
 *
 * States: `connecting` → `open` (after the relay's `hello`) → on a drop `waiting` (backoff
 * with jitter) → `connecting` again with `?since=<last sequence>`, so the relay replays what
 * was missed; ids already delivered are dropped. `close()` or a fatal refusal (401, 403, 400,
 * 404, close 4001 revoked) → `closed`. A relay that goes silent for a ping interval plus a
 * margin is treated as dropped.
 */
export class RelayEventStream
  extends EventEmitter<RelayEventStreamEvents>
  implements AsyncIterable<StreamItem>
{
  private ws: WebSocket | undefined;
  private state: 'connecting' | 'open' | 'waiting' | 'closing' | 'closed' = 'connecting';
  private last: bigint | null;
  private positionLost = false;
  /** The next connection asks for a snapshot (snapshot mode, until one arrives). */
  private needSnapshot: boolean;
  /** The current connection is being dropped to fetch a fresh snapshot. */
  private resnapshot = false;
  private pingIntervalMs = 25_000;
  private httpStatus = 0;
  private retryAfterMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private readonly seen: RecentIds;
  private readonly backoff: Backoff;
  private readonly queues = new Set<AsyncQueue<StreamItem>>();
  /**
   * Collects what arrives before the first async iterator exists, and becomes that iterator, so
   * `await once(stream, 'open')`, then `for await`, misses nothing. Dropped as soon as an `event`
   * listener takes the events instead (it counts toward `highWaterMark` like any iterator).
   */
  private early: AsyncQueue<StreamItem> | undefined;
  private readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  /** The fatal error that stopped the stream, if any. */
  error: RelayStreamError | undefined;

  constructor(private readonly options: RelayEventStreamOptions) {
    super();
    const since = options.since === undefined ? null : String(options.since);
    if (since !== null && !/^\d+$/.test(since))
      throw new TypeError('since must be an event sequence (decimal digits)');
    this.last = since === null ? null : BigInt(since);
    this.needSnapshot = options.snapshot === true && since === null;
    this.seen = new RecentIds(options.dedupeWindow ?? 10_000);
    this.backoff = new Backoff(options.reconnect);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.early = this.newQueue();
    this.queues.add(this.early);
    this.connect();
  }

  /** The last sequence received: store it to resume with `since` after a restart. */
  get sequence(): string | null {
    return this.last === null ? null : this.last.toString();
  }

  /** True between the relay's `hello` and the next drop. */
  get connected(): boolean {
    return this.state === 'open';
  }

  /** Closes the connection and ends every iterator; resolves when fully closed. Idempotent. */
  close(): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') return this.closed;
    this.state = 'closing';
    clearTimeout(this.retryTimer);
    clearTimeout(this.livenessTimer);
    const ws = this.ws;
    if (!ws) this.finish();
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else {
      ws.close(1000, 'client closing');
      setTimeout(() => ws.terminate(), 2000).unref();
    }
    return this.closed;
  }

  /** Iterates events and history-lost notices until `close()`; throws a fatal {@link RelayStreamError}. */
  [Symbol.asyncIterator](): AsyncIterableIterator<StreamItem> {
    const early = this.early;
    this.early = undefined;
    if (early) return early; // holds what came before; ended (after those items) if closed
    const queue = this.newQueue();
    if (this.state === 'closed') queue.end(this.error);
    else this.queues.add(queue);
    return queue;
  }

  private newQueue(): AsyncQueue<StreamItem> {
    const queue: AsyncQueue<StreamItem> = new AsyncQueue(
      () => {
        this.queues.delete(queue);
        this.maybeResume();
      },
      () => this.maybeResume(),
    );
    return queue;
  }

  private connect(): void {
    this.state = 'connecting';
    this.httpStatus = 0;
    this.retryAfterMs = 0;
    const ws = new WebSocket(
      streamUrl(
        this.options.baseUrl,
        this.options.filter ?? {},
        this.needSnapshot ? null : this.last,
        this.needSnapshot,
      ),
      ['relay.v1'],
      {
        perMessageDeflate: false,
        ...this.options.wsOptions,
        headers: { ...this.options.wsOptions?.headers, authorization: `Bearer ${this.options.apiKey}` },
      },
    );
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      this.httpStatus = res.statusCode ?? 0;
      const retryAfter = Number(res.headers['retry-after']);
      this.retryAfterMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : 0;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      this.armLiveness();
      if (this.backpressured()) ws.pause();
    });
    ws.on('ping', () => this.armLiveness());
    ws.on('message', (data) =>
      this.onMessage(
        (Buffer.isBuffer(data)
          ? data
          : Array.isArray(data)
            ? Buffer.concat(data)
            : Buffer.from(data)
        ).toString('utf8'),
      ),
    );
    ws.on('error', () => undefined); // always followed by 'close', which decides what happens
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onMessage(text: string): void {
    this.armLiveness();
    let msg: ServerMessage;
    try {
      msg = parseServerMessage(text, this.options.validate ?? true);
    } catch (err) {
      this.report(
        new RelayStreamError(
          'malformed_message',
          `skipped an invalid message: ${(err as Error).message}`,
          false,
          { cause: err },
        ),
      );
      return;
    }
    if (msg.kind === 'hello') this.onHello(msg.pingIntervalMs, msg.lastSequence);
    else if (msg.kind === 'event') {
      this.advance(msg.event.sequence);
      if (this.seen.add(msg.event.id)) this.deliver({ kind: 'event', event: msg.event });
    } else if (msg.kind === 'snapshot') {
      this.needSnapshot = false;
      this.last = BigInt(msg.snapshot.sequence);
      this.deliver({ kind: 'snapshot', snapshot: msg.snapshot });
    } else if (msg.kind === 'history_lost') {
      this.deliver({ kind: 'historyLost', info: msg.info });
      if (this.options.snapshot) this.refreshSnapshot();
    } else if (msg.kind === 'resumed') {
      this.advance(msg.info.lastSequence);
      this.safeEmit('resumed', msg.info);
    }
  }

  private onHello(pingIntervalMs: number | null, headSequence: string | null): void {
    const since = this.ws ? new URL(this.ws.url).searchParams.get('since') : null;
    this.state = 'open';
    this.backoff.reset();
    if (pingIntervalMs) this.pingIntervalMs = pingIntervalMs;
    this.armLiveness();
    if (this.last === null && headSequence !== null && !this.needSnapshot) this.last = BigInt(headSequence);
    this.safeEmit('open', { since });
    if (this.positionLost && this.options.snapshot) {
      this.positionLost = false;
      this.refreshSnapshot();
    } else if (this.positionLost) {
      this.positionLost = false;
      this.deliver({
        kind: 'historyLost',
        info: { reason: 'position_unknown', since: null, oldestAvailable: null, retentionDays: null },
      });
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    clearTimeout(this.livenessTimer);
    const wasOpen = this.state === 'open';
    if (this.state === 'closing') return this.finish();
    const fatal = fatalErrorOf(this.httpStatus, code, reason);
    if (fatal) {
      this.error = fatal;
      this.report(fatal);
      return this.finish(fatal);
    }
    if (wasOpen && this.last === null && !this.needSnapshot) this.positionLost = true;
    const retryInMs = this.resnapshot ? 0 : this.backoff.next(this.retryAfterMs);
    this.resnapshot = false;
    this.state = 'waiting';
    this.safeEmit('disconnect', { code, httpStatus: this.httpStatus || null, reason, retryInMs });
    this.retryTimer = setTimeout(() => this.connect(), retryInMs);
  }

  /** The state can no longer be caught up by events: drop this connection and start over with a snapshot. */
  private refreshSnapshot(): void {
    this.needSnapshot = true;
    this.resnapshot = true;
    this.ws?.terminate();
  }

  private finish(error?: RelayStreamError): void {
    this.state = 'closed';
    clearTimeout(this.retryTimer);
    clearTimeout(this.livenessTimer);
    for (const q of [...this.queues]) q.end(error);
    this.safeEmit('close');
    this.resolveClosed();
  }

  private advance(sequence: string): void {
    const s = BigInt(sequence);
    if (this.last === null || s > this.last) this.last = s;
  }

  private deliver(item: StreamItem): void {
    if (this.early && this.listenerCount('event') > 0) {
      // Consumed by listeners: nobody is going to iterate what was kept for a first iterator.
      const early = this.early;
      this.early = undefined;
      void early.return();
    }
    for (const q of this.queues) q.push(item);
    if (this.ws && !this.ws.isPaused && this.backpressured()) this.ws.pause();
    if (item.kind === 'event') this.safeEmit('event', item.event);
    else if (item.kind === 'snapshot') this.safeEmit('snapshot', item.snapshot);
    else this.safeEmit('historyLost', item.info);
  }

  private backpressured(): boolean {
    const hwm = this.options.highWaterMark ?? 1000;
    for (const q of this.queues) if (q.size >= hwm) return true;
    return false;
  }

  private maybeResume(): void {
    const low = (this.options.highWaterMark ?? 1000) / 2;
    if (this.ws?.isPaused && ![...this.queues].some((q) => q.size > low)) this.ws.resume();
  }

  /** A silent relay (no message, no ping) for a ping interval plus a margin is a dead connection. */
  private armLiveness(): void {
    clearTimeout(this.livenessTimer);
    const ms = this.pingIntervalMs + Math.max(5000, this.pingIntervalMs / 2);
    this.livenessTimer = setTimeout(() => {
      if (this.ws?.isPaused)
        this.armLiveness(); // our own backpressure, not the relay's silence
      else this.ws?.terminate();
    }, ms);
    this.livenessTimer.unref();
  }

  private safeEmit<K extends keyof RelayEventStreamEvents>(
    name: K,
    ...args: RelayEventStreamEvents[K]
  ): void {
    try {
      (this.emit as (n: K, ...a: RelayEventStreamEvents[K]) => boolean)(name, ...args);
    } catch (err) {
      this.report(
        new RelayStreamError(
          'listener_failed',
          `a '${String(name)}' listener threw: ${(err as Error).message}`,
          false,
          { cause: err },
        ),
      );
    }
  }

  /** Emits 'error' only when someone listens: an unhandled 'error' would crash the host process. */
  private report(error: RelayStreamError): void {
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error);
    } catch {
      // an 'error' listener threw: nothing sensible left to tell
    }
  }
}
