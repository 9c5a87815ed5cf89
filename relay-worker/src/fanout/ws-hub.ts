import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import { WebSocket, WebSocketServer } from 'ws';
import { isOptInEventType } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { ApiKeyVerifier, VerifiedKey } from '../auth/api-key-verifier.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { UsageRecorder } from '../auth/usage-recorder.js';
import type { StoredEvent } from '../events/event-store.js';
import type { RelayMetrics } from '../stats/relay-metrics.js';
import { DIRECT_ONLY_TYPES } from '../delivery/outbox.js';
import { MATCH_ALL, filterFromQuery, matchesFilter, type EventFilter } from '../delivery/event-filter.js';
import { chooseProtocol, keyFromUpgrade, refuseUpgrade } from './ws-upgrade-auth.js';
import { eventFrame } from './ws-frame.js';
import { clientAddress } from '../http/direct-loopback.js';
import { replayHistory } from './replay-history.js';

/** Close codes the hub uses. */
export const WS_CLOSE = { shutdown: 1001, revoked: 4001, slow: 4008 } as const;

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
}

/** A connected client. */
export interface WsClient {
  ws: WebSocket;
  socket: Duplex;
  key: VerifiedKey;
  filter: EventFilter | null;
  alive: boolean;
  /** While replaying `?since=`, live frames wait here (sequence + frame). */
  pending: { sequence: bigint; frame: Buffer }[] | null;
  /** Bytes held in `pending`. */
  pendingBytes: number;
  closing: boolean;
}

/**
 * WebSocket fan-out at /relay/ws on the worker's HTTP server (`noServer`: the hub takes the
 * server's 'upgrade' events). Authenticates during the upgrade (scope `events:subscribe`),
 * applies per-connection filters, frames each event once and writes the same buffer to every
 * matching client, resumes from `?since=<sequence>`, pings every 25 s, cuts slow consumers
 * (close 4008) and revoked keys (4001), and closes everyone with 1001 on shutdown.
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
    this.pingTimer = setInterval(() => this.heartbeat(), this.o.pingIntervalMs);
    this.pingTimer.unref();
    deps.verifier.on('revoked', (ids) => this.closeKeys(ids));
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
    const sinceParam = url.searchParams.get('since');
    if (sinceParam !== null && !/^\d+$/.test(sinceParam)) {
      done(400);
      return refuseUpgrade(socket, 400, 'BAD_REQUEST', 'since must be an event sequence');
    }
    if (!this.holdSlot(key.id, socket)) {
      done(429);
      return refuseUpgrade(
        socket,
        429,
        'TOO_MANY_CONNECTIONS',
        `this API key has ${this.o.maxConnectionsPerKey} WebSocket connections open already`,
        { 'Retry-After': '5' },
      );
    }
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const f = filterFromQuery(query);
    const filter =
      f.eventTypes.length + f.extensions.length + f.dids.length + f.queues.length === 0 ? null : f;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      done(101);
      const client: WsClient = {
        ws,
        socket,
        key,
        filter,
        alive: true,
        pending: sinceParam === null ? null : [],
        pendingBytes: 0,
        closing: false,
      };
      this.attach(client);
      if (sinceParam !== null) void this.resume(client, BigInt(sinceParam));
    });
  }

  /**
   * Takes one of the key's connection slots for as long as this socket lives (taken before the
   * handshake, so parallel upgrades cannot overshoot); false when the key has none left.
   */
  private holdSlot(keyId: string, socket: Duplex): boolean {
    const open = this.perKey.get(keyId) ?? 0;
    if (open >= this.o.maxConnectionsPerKey) return false;
    this.perKey.set(keyId, open + 1);
    socket.once('close', () => {
      const n = (this.perKey.get(keyId) ?? 1) - 1;
      if (n > 0) this.perKey.set(keyId, n);
      else this.perKey.delete(keyId);
    });
    return true;
  }

  private attach(client: WsClient): void {
    const { ws } = client;
    this.clients.add(client);
    this.deps.metrics.setWsClients(this.clients.size);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', () => (client.alive = true));
    ws.on('error', (err) => this.deps.log.debug({ err }, 'WebSocket client error'));
    ws.on('close', (code) => {
      this.clients.delete(client);
      this.deps.metrics.setWsClients(this.clients.size);
      if (!client.closing)
        this.deps.metrics.countWsDisconnect(code === 1000 || code === 1001 ? 'client' : 'error');
    });
    ws.send(
      JSON.stringify({
        kind: 'hello',
        keyPrefix: client.key.prefix,
        filter: client.filter ?? 'all',
        pingIntervalMs: this.o.pingIntervalMs,
        lastSequence: this.lastSequence.toString(),
      }),
    );
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
      const pending = client.pending ?? [];
      client.pending = null;
      client.pendingBytes = 0;
      for (const p of pending) if (p.sequence > lastSent) this.write(client, p.frame);
    } catch (err) {
      this.deps.log.warn({ err: coerceError(err) }, 'WebSocket resume failed');
      client.ws.close(1011, 'resume failed');
    }
  }

  /**
   * Sends events to every matching client. Events arriving in the same event-loop turn are
   * sent together: each is serialized and framed once, the frames for unfiltered clients are
   * concatenated once, and every client gets one socket write per turn (not one per event).
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
    const frames = events.map(eventFrame);
    // Unfiltered clients get every event except the opt-in types (relay.*), which only go to
    // clients whose `types` name them.
    const common = events.some((e) => isOptInEventType(e.type))
      ? frames.filter((_f, i) => !isOptInEventType(events[i]!.type))
      : frames;
    const all = common.length === 1 ? common[0]! : Buffer.concat(common);
    let sent = 0;
    for (const c of this.clients) {
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
    if (c.closing || c.ws.readyState !== WebSocket.OPEN) return false;
    // ws writes its own frames (ping, close) synchronously to the same socket without
    // compression, so whole frames never interleave.
    if ((c.socket as Duplex & { writableLength: number }).writableLength > this.o.maxBufferedBytes) {
      this.cut(c, 'slow', WS_CLOSE.slow, 'slow consumer');
      return false;
    }
    c.socket.write(frame);
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
    this.deps.log.info({ keyPrefix: c.key.prefix, reason }, 'closing WebSocket client');
    c.ws.close(code, text);
    setTimeout(() => c.ws.terminate(), graceMs).unref();
  }

  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.closing = true;
        this.deps.metrics.countWsDisconnect('heartbeat');
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
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
    const closed = [...this.clients].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.ws.once('close', () => resolve());
          this.cut(c, 'shutdown', WS_CLOSE.shutdown, 'server shutting down', 1000);
        }),
    );
    // Each client is terminated 1 s after its close frame at the latest; bound the wait anyway.
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 3000).unref())]);
    this.wss.close();
  }
}
