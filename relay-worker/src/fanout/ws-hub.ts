import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocketServer } from 'ws';
import { isOptInEventType } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { ApiKeyVerifier, VerifiedKey } from '../auth/api-key-verifier.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { UsageRecorder } from '../auth/usage-recorder.js';
import type { StoredEvent } from '../events/event-store.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { DIRECT_ONLY_TYPES } from '../delivery/outbox.js';
import { MATCH_ALL, matchesFilter, type EventFilter } from '../delivery/event-filter.js';
import { chooseProtocol, keyFromUpgrade, refuseUpgrade } from './ws-upgrade-auth.js';
import { clientAddress } from '../http/direct-loopback.js';
import { replayHistory } from './replay-history.js';
import { parseStreamRequest, type StreamStart } from './stream-request.js';
import { sseTransport, wsTransport, type StreamTransport } from './stream-transport.js';
import type { StreamEncoding } from './stream-encoding.js';
import { snapshotMessage, type LiveSnapshot } from './live-snapshot.js';

/** Close codes the hub uses. */
export const WS_CLOSE = { shutdown: 1001, failed: 1011, revoked: 4001, slow: 4008 } as const;

export const WS_PATH = '/relay/ws';

export interface WsHubOptions {
  /** Ping period; a peer that has not answered since the last ping is terminated (default 25 000 ms). */
  pingIntervalMs?: number;
  /** Buffered bytes above which a client is cut off as a slow consumer (default 1 MiB). */
  maxBufferedBytes?: number;
  /** After a close frame to a slow consumer, wait this long before dropping the socket (default 5000 ms). */
  slowCloseGraceMs?: number;
  /** The newest event sequence when the hub starts (the event tail's position). */
  startSequence?: bigint;
  /** Open connections one API key may hold; more are refused with 429 (default 100). */
  maxConnectionsPerKey?: number;
}

export interface WsHubDeps {
  pool: pg.Pool;
  verifier: ApiKeyVerifier;
  limiter: RateLimiter;
  usage: UsageRecorder;
  metrics: RelayMetrics;
  log: Logger;
  /** Retention, for the explicit "history lost" answer on resume. */
  retentionMs: number;
  /** The live state with the sequence it includes, for snapshot-then-stream clients; absent = not offered. */
  snapshot?: () => Promise<LiveSnapshot>;
}

/** A connected client (WebSocket or SSE). */
export interface WsClient {
  transport: StreamTransport;
  /** The TCP socket (benchmarks read its buffer). */
  socket: Duplex;
  key: VerifiedKey;
  filter: EventFilter | null;
  alive: boolean;
  /** While replaying `?since=` or taking a snapshot, live frames wait here (sequence + frame). */
  pending: { sequence: bigint; frame: Buffer }[] | null;
  /** Bytes held in `pending`. */
  pendingBytes: number;
  /**
   * The last sequence a replay or snapshot covered: events up to it may still sit in the
   * hub's queue for the next flush, and must not be sent again.
   */
  after: bigint;
  closing: boolean;
  /** Settles when the client has left the hub. */
  gone: Promise<void>;
  markGone: () => void;
}

/**
 * Fan-out of live events to WebSocket clients at /relay/ws (`noServer`: the hub takes the
 * server's 'upgrade' events) and SSE clients at /relay/events/stream (see sse-route.ts).
 * Authenticates WebSocket upgrades (scope `events:subscribe`), applies per-connection filters,
 * frames each event once per encoding and writes the same buffer to every matching client,
 * resumes from a sequence, or starts with a snapshot of the live state and continues exactly
 * after its sequence; pings every 25 s, cuts slow consumers (close 4008) and revoked keys
 * (4001), and closes everyone with 1001 on shutdown.
 */
export class WsHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
    handleProtocols: chooseProtocol,
  });
  readonly clients = new Set<WsClient>();
  private readonly pingTimer: NodeJS.Timeout;
  private readonly o: Required<WsHubOptions>;
  private stopping = false;
  /** Open (or opening) sockets per API key id. */
  private readonly perKey = new Map<string, number>();
  private queued: StoredEvent[] = [];
  private flushScheduled = false;
  /**
   * Newest sequence a client attaching now will NOT receive live (already written to the
   * clients of the time, or passed while nobody listened). Sent in `hello` as `lastSequence`,
   * so a client that drops before its first event can still resume with `?since=` and miss nothing.
   */
  private lastSequence: bigint;

  constructor(
    private readonly deps: WsHubDeps,
    opts: WsHubOptions = {},
  ) {
    this.o = {
      pingIntervalMs: 25_000,
      maxBufferedBytes: 1024 * 1024,
      slowCloseGraceMs: 5000,
      startSequence: 0n,
      maxConnectionsPerKey: 100,
      ...opts,
    };
    this.lastSequence = this.o.startSequence;
    // Judged after this turn's I/O: after a stalled event loop a pong already in the socket is
    // read before the verdict (as the Call Control socket does; see callcontrol-socket-stall.test).
    this.pingTimer = setInterval(() => setImmediate(() => this.heartbeat()), this.o.pingIntervalMs);
    this.pingTimer.unref();
    deps.verifier.on('revoked', (ids) => this.closeKeys(ids));
  }

  /** Whether snapshot-then-stream connections are offered. */
  get offersSnapshot(): boolean {
    return this.deps.snapshot !== undefined;
  }

  /** Handles an HTTP upgrade; returns false when the path is not ours. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://relay.local');
    if (url.pathname !== WS_PATH) return false;
    // Node stops handling errors on a socket it hands to 'upgrade': a client that resets while
    // its key is checked would otherwise crash the process (write ECONNRESET on the refusal).
    socket.on('error', (err) => this.deps.log.debug({ err: coerceError(err) }, 'upgrade socket error'));
    void this.upgrade(req, socket, head, url).catch((err) => {
      this.deps.log.warn({ err: coerceError(err) }, 'WebSocket upgrade failed');
      refuseUpgrade(socket, 503, 'UNAVAILABLE', 'upgrade failed');
    });
    return true;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const started = performance.now();
    if (this.stopping) return refuseUpgrade(socket, 503, 'UNAVAILABLE', 'shutting down');
    const presented = keyFromUpgrade(req, url);
    if (!presented)
      return refuseUpgrade(socket, 401, 'UNAUTHORIZED', 'API key required', { 'WWW-Authenticate': 'Bearer' });
    const key = await this.deps.verifier.verify(presented, clientAddress(req));
    if (!key)
      return refuseUpgrade(socket, 401, 'UNAUTHORIZED', 'invalid API key', { 'WWW-Authenticate': 'Bearer' });
    const done = (status: number) => {
      this.deps.usage.record(key.id, WS_PATH, status, performance.now() - started);
      this.deps.metrics.countApiRequest(WS_PATH, status);
    };
    if (!key.scopes.includes('events:subscribe')) {
      done(403);
      return refuseUpgrade(socket, 403, 'FORBIDDEN', 'scope events:subscribe required');
    }
    const limit = this.deps.limiter.take(key.id, key.rateLimitPerMinute);
    if (!limit.ok) {
      done(429);
      return refuseUpgrade(socket, 429, 'RATE_LIMITED', 'rate limit exceeded', {
        'Retry-After': String(limit.retryAfterSec),
      });
    }
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const start = parseStreamRequest(query, null, {
      snapshotByDefault: false,
      offersSnapshot: this.offersSnapshot,
    });
    if ('error' in start) {
      done(400);
      return refuseUpgrade(socket, 400, 'BAD_REQUEST', start.error);
    }
    if (!this.holdSlot(key.id, socket)) {
      done(429);
      return refuseUpgrade(socket, 429, 'TOO_MANY_CONNECTIONS', this.tooManyMessage(), {
        'Retry-After': '5',
      });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      done(101);
      const client = this.newClient(wsTransport(ws, socket), key, start.filter);
      ws.on('pong', () => (client.alive = true));
      ws.on('message', () => (client.alive = true));
      ws.on('error', (err) => this.deps.log.debug({ err }, 'WebSocket client error'));
      ws.on('close', (code) => this.detach(client, code === 1000 || code === 1001 ? 'client' : 'error'));
      this.attach(client, start);
    });
  }

  /**
   * Takes one of the key's streaming connection slots (WebSocket or SSE) until `connection` (the
   * upgraded socket, or the SSE response) closes; taken before the handshake, so parallel
   * upgrades cannot overshoot. False when the key has none left.
   */
  holdSlot(keyId: string, connection: { once(event: 'close', fn: () => void): unknown }): boolean {
    const open = this.perKey.get(keyId) ?? 0;
    if (open >= this.o.maxConnectionsPerKey) return false;
    this.perKey.set(keyId, open + 1);
    connection.once('close', () => {
      const n = (this.perKey.get(keyId) ?? 1) - 1;
      if (n > 0) this.perKey.set(keyId, n);
      else this.perKey.delete(keyId);
    });
    return true;
  }

  /** Why a key was refused another connection (WebSocket or SSE). */
  tooManyMessage(): string {
    return `this API key has ${this.o.maxConnectionsPerKey} streaming connections open already`;
  }

  /**
   * Attaches an SSE client to an accepted `text/event-stream` response (the route checked the
   * key, its scope and the request). Ends when the peer goes away or the hub closes it.
   */
  attachSse(res: ServerResponse, key: VerifiedKey, start: StreamStart): void {
    const client = this.newClient(sseTransport(res), key, start.filter);
    res.on('close', () => this.detach(client, 'client'));
    res.on('error', (err) => this.deps.log.debug({ err }, 'SSE client error'));
    if (this.stopping) return client.transport.close(WS_CLOSE.shutdown, 'server shutting down');
    this.attach(client, start);
  }

  private newClient(transport: StreamTransport, key: VerifiedKey, filter: EventFilter | null): WsClient {
    let markGone = () => undefined as void;
    const gone = new Promise<void>((resolve) => (markGone = resolve));
    return {
      transport,
      socket: transport.socket,
      key,
      filter,
      alive: true,
      pending: null,
      pendingBytes: 0,
      after: -1n,
      closing: false,
      gone,
      markGone,
    };
  }

  private attach(client: WsClient, start: StreamStart): void {
    // Live events wait in `pending` until the replay or the snapshot tells where to start.
    if (start.since !== null || start.snapshot) client.pending = [];
    this.clients.add(client);
    this.deps.metrics.setWsClients(this.clients.size);
    this.send(client, {
      kind: 'hello',
      keyPrefix: client.key.prefix,
      filter: client.filter ?? 'all',
      pingIntervalMs: this.o.pingIntervalMs,
      lastSequence: this.lastSequence.toString(),
    });
    if (start.since !== null) void this.resume(client, start.since);
    else if (start.snapshot) void this.sendSnapshot(client);
  }

  private detach(client: WsClient, reason: string): void {
    client.markGone();
    if (!this.clients.delete(client)) return;
    this.deps.metrics.setWsClients(this.clients.size);
    if (!client.closing) this.deps.metrics.countWsDisconnect(reason);
  }

  private send(client: WsClient, msg: { kind: string } & Record<string, unknown>, id?: bigint): boolean {
    return this.write(client, client.transport.encoding.message(msg, id));
  }

  private async resume(client: WsClient, since: bigint): Promise<void> {
    try {
      // An unfiltered client is replayed what it gets live: no opt-in (relay.*) events.
      const lastSent = await replayHistory(
        this.deps.pool,
        { ...client, filter: client.filter ?? MATCH_ALL },
        since,
        (frame) => this.write(client, frame),
        this.deps.retentionMs,
      );
      this.releasePending(client, lastSent);
    } catch (err) {
      this.deps.log.warn({ err: coerceError(err) }, 'stream resume failed');
      this.cut(client, 'error', WS_CLOSE.failed, 'resume failed', 1000);
    }
  }

  /**
   * The snapshot, then the live events after its sequence. The client has been buffering live
   * frames since before the snapshot was taken, and the snapshot's sequence is the newest the
   * state includes, so the frames after it are exactly the changes the snapshot lacks.
   */
  private async sendSnapshot(client: WsClient): Promise<void> {
    try {
      const snap = await this.deps.snapshot!();
      this.send(client, snapshotMessage(snap, client.filter), snap.sequence);
      this.releasePending(client, snap.sequence);
    } catch (err) {
      const e = coerceError(err);
      this.deps.log.warn({ err: e }, 'stream snapshot failed');
      this.cut(client, 'error', WS_CLOSE.failed, `snapshot unavailable: ${e.message}`.slice(0, 120), 1000);
    }
  }

  /** Sends the live frames held during a replay or snapshot that come after `after`; live from now on. */
  private releasePending(client: WsClient, after: bigint): void {
    const pending = client.pending ?? [];
    client.pending = null;
    client.pendingBytes = 0;
    client.after = after;
    for (const p of pending) if (p.sequence > after) this.write(client, p.frame);
  }

  /**
   * Sends events to every matching client. Events arriving in the same event-loop turn are
   * sent together: each is serialized and framed once per encoding, the frames for unfiltered
   * clients are concatenated once, and every client gets one write per turn (not one per event).
   */
  broadcast(events: StoredEvent[]): void {
    if (this.clients.size === 0) {
      // Nobody will ever be sent these live: a client attaching later starts after them.
      for (const e of events) if (e.sequence > this.lastSequence) this.lastSequence = e.sequence;
      return;
    }
    for (const e of events) if (!DIRECT_ONLY_TYPES.includes(e.type)) this.queued.push(e);
    if (!this.flushScheduled && this.queued.length) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const events = this.queued;
    this.queued = [];
    if (events.length === 0) return;
    // Clients attached before this point receive these events below; later ones start after.
    for (const e of events) if (e.sequence > this.lastSequence) this.lastSequence = e.sequence;
    const framing = new Map<StreamEncoding, { frames: Buffer[]; common: Buffer[]; all: Buffer }>();
    // Unfiltered clients get every event except the opt-in types (relay.*), which only go to
    // clients whose `types` name them.
    const framed = (enc: StreamEncoding) => {
      let f = framing.get(enc);
      if (!f) {
        const frames = events.map((e) => enc.event(e));
        const common = frames.filter((_f, i) => !isOptInEventType(events[i]!.type));
        f = { frames, common, all: common.length === 1 ? common[0]! : Buffer.concat(common) };
        framing.set(enc, f);
      }
      return f;
    };
    const first = events.reduce((min, e) => (e.sequence < min ? e.sequence : min), events[0]!.sequence);
    let sent = 0;
    for (const c of this.clients) {
      const { frames, common, all } = framed(c.transport.encoding);
      if (c.pending) {
        events.forEach((e, i) => {
          if (!matchesFilter(c.filter ?? MATCH_ALL, e)) return;
          c.pending!.push({ sequence: e.sequence, frame: frames[i]! });
          c.pendingBytes += frames[i]!.length;
        });
        // A replay that cannot keep up with the live stream is a slow consumer too.
        if (c.pendingBytes > this.o.maxBufferedBytes) this.cut(c, 'slow', WS_CLOSE.slow, 'slow consumer');
        continue;
      }
      if (c.after >= first) {
        // Just after its replay or snapshot: leave out what that already covered.
        const mine = frames.filter(
          (_f, i) => events[i]!.sequence > c.after && matchesFilter(c.filter ?? MATCH_ALL, events[i]!),
        );
        if (mine.length && this.write(c, Buffer.concat(mine))) sent += mine.length;
        continue;
      }
      if (!c.filter) {
        if (common.length && this.write(c, all)) sent += common.length;
        continue;
      }
      const mine = frames.filter((_f, i) => matchesFilter(c.filter!, events[i]!));
      if (mine.length && this.write(c, mine.length === 1 ? mine[0]! : Buffer.concat(mine)))
        sent += mine.length;
    }
    if (sent) this.deps.metrics.countWsMessages(sent);
  }

  /** Writes a pre-framed message; cuts the client off when its buffer passes the limit. */
  write(c: WsClient, frame: Buffer): boolean {
    if (c.closing || !c.transport.isOpen()) return false;
    if (c.transport.buffered() > this.o.maxBufferedBytes) {
      this.cut(c, 'slow', WS_CLOSE.slow, 'slow consumer');
      return false;
    }
    c.transport.write(frame);
    return true;
  }

  private cut(
    c: WsClient,
    reason: string,
    code: number,
    text: string,
    graceMs = this.o.slowCloseGraceMs,
  ): void {
    if (c.closing) return;
    c.closing = true;
    this.deps.metrics.countWsDisconnect(reason);
    this.deps.log.info(
      { keyPrefix: c.key.prefix, reason, transport: c.transport.kind },
      'closing stream client',
    );
    c.transport.close(code, text);
    setTimeout(() => c.transport.terminate(), graceMs).unref();
  }

  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.closing = true;
        this.deps.metrics.countWsDisconnect('heartbeat');
        c.transport.terminate();
        continue;
      }
      c.alive = !c.transport.answersPings;
      c.transport.ping();
    }
  }

  private closeKeys(keyIds: string[]): void {
    const ids = new Set(keyIds);
    for (const c of this.clients)
      if (ids.has(c.key.id)) this.cut(c, 'revoked', WS_CLOSE.revoked, 'API key revoked', 1000);
  }

  /** Closes every client with 1001 and stops accepting. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pingTimer);
    const closed = [...this.clients].map((c) => {
      this.cut(c, 'shutdown', WS_CLOSE.shutdown, 'server shutting down', 1000);
      return c.gone;
    });
    // Each client is terminated 1 s after its close frame at the latest; bound the wait anyway.
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 3000).unref())]);
    this.wss.close();
  }
}
