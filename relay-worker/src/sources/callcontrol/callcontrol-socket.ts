import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import { errorForStatus, type PbxErrorKind } from '../pbx-error.js';
import type { PbxLicence } from '../xapi/pbx-licence.js';
import type { TokenHolder } from '../xapi/token-holder.js';
import { readRefusal } from './read-refusal.js';
import { insecureTlsAllowed } from '../pbx-tls.js';

export interface CallControlSocketOptions {
  /** PBX base URL (http → ws, https → wss). */
  baseUrl: string;
  tokens: TokenHolder;
  pingIntervalMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  insecureTls?: boolean;
  /** The PBX's licence as known, to tell a licence refusal of the upgrade from a role one. */
  licence?: { readonly current: PbxLicence | undefined };
}

interface SocketEvents {
  open: [];
  message: [text: string];
  /** `kind` is set when the PBX refused the upgrade (401/403 licence/role, …). */
  down: [reason: string, kind?: PbxErrorKind];
}

/**
 * The permanent `/callcontrol/ws` connection. States: `idle` → `connecting` (fresh token,
 * Bearer header on the upgrade) → `open` (ping every `pingIntervalMs`; neither a pong nor a
 * frame for two intervals plus a second counts as dead) → on close/error/refusal `backoff` (exponential with "equal" jitter,
 * reset after a connection that stayed open) → `connecting` … until {@link stop}.
 * Each reconnect takes a fresh token from the shared holder. An open socket that closes because
 * the holder renewed the token (some 3CX builds close the old token's sockets) reconnects at
 * once without going `down`, once per token; any other close is an outage.
 */
export class CallControlSocket extends EventEmitter<SocketEvents> {
  private ws: WebSocket | undefined;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  /** When the PBX last showed it is alive: a pong or any frame. */
  private lastHeard = 0;
  private lastToken: string | undefined;
  /** The token of the socket that is open now (undefined before it opened). */
  private openToken: string | undefined;
  /** The token whose replacement already got its one quiet reconnect. */
  private quietFor: string | undefined;

  constructor(
    private readonly o: CallControlSocketOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Closes the socket (1001) and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.teardown(1001, 'relay shutting down');
  }

  /** Drops the current connection and reconnects at once with a fresh token. */
  reconnectNow(): void {
    this.attempt = 0;
    this.teardown(1000, 'reconnect requested');
    clearTimeout(this.retryTimer);
    if (!this.stopped) void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      // Every reconnect uses a fresh token (a PBX restart invalidates them all); renew() shares
      // a token another caller fetched meanwhile, so XAPI and the socket never fetch twice.
      token = this.lastToken ? await this.o.tokens.renew(this.lastToken) : await this.o.tokens.get();
      this.lastToken = token;
    } catch (err) {
      this.fail(`token: ${coerceError(err).message}`);
      return;
    }
    const url = new URL('/callcontrol/ws', this.o.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      headers: { Authorization: `Bearer ${token}` },
      handshakeTimeout: 10_000,
      maxPayload: 16 * 1024 * 1024,
      rejectUnauthorized: !insecureTlsAllowed(this.o.baseUrl, !!this.o.insecureTls, url),
    });
    this.ws = ws;
    let opened = false;
    ws.on('unexpected-response', (_req, res) => {
      // The refusal's body says why (licence, role): read a little of it, then give up the socket.
      void readRefusal(res).then((body) => {
        const err = errorForStatus(res.statusCode ?? 0, '/callcontrol/ws', body, this.o.licence?.current);
        this.drop(ws, `upgrade refused: ${err.message}`, err.kind);
      });
    });
    ws.on('open', () => {
      opened = true;
      this.openToken = token;
      this.lastHeard = Date.now();
      this.pingTimer = setInterval(() => this.ping(ws), this.o.pingIntervalMs);
      this.emit('open');
    });
    ws.on('pong', () => (this.lastHeard = Date.now()));
    ws.on('message', (data, isBinary) => {
      this.lastHeard = Date.now();
      if (!isBinary)
        this.emit(
          'message',
          Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
        );
    });
    ws.on('error', (err) => this.drop(ws, err.message));
    ws.on('close', (code, reason) => {
      if (opened) this.attempt = 0;
      this.drop(ws, `closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  private ping(ws: WebSocket): void {
    // Judged after this turn's I/O (setImmediate runs after the poll phase): after a stalled
    // event loop (GC, a starved CPU) timers run before the reads that waited behind them, and a
    // pong or a frame already in the socket is no silence.
    setImmediate(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastHeard > this.o.pingIntervalMs * 2 + 1000) {
        this.drop(ws, 'no pong');
        ws.terminate();
        return;
      }
      try {
        ws.ping();
      } catch {
        // the close handler reconnects
      }
    });
  }

  /** Handles the end of one connection exactly once. */
  private drop(ws: WebSocket, reason: string, kind?: PbxErrorKind): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    clearInterval(this.pingTimer);
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    const token = this.openToken;
    this.openToken = undefined;
    if (token && this.tokenReplaced(token)) return this.reconnectQuietly(token, reason);
    this.fail(reason, kind);
  }

  /**
   * True when an open socket closed because its token was replaced: 3CX keeps one token per
   * client, and some builds close the sockets of the old one as soon as a new one is issued.
   * That is no outage (the token holder renews hourly), as long as it happens once per token.
   */
  private tokenReplaced(token: string): boolean {
    if (this.stopped || this.quietFor === token) return false;
    const held = this.o.tokens.current;
    return this.o.tokens.fetching || (held !== undefined && held !== token);
  }

  /** Reconnects at once with the new token, without reporting the socket down; once per token. */
  private reconnectQuietly(token: string, reason: string): void {
    this.quietFor = token;
    this.log.info(
      { reason },
      'call control socket closed after a token renewal; reconnecting with the new token',
    );
    clearTimeout(this.retryTimer);
    void this.connect();
  }

  private fail(reason: string, kind?: PbxErrorKind): void {
    if (this.stopped) return;
    this.emit('down', reason, kind);
    const cap = Math.min(this.o.reconnectMaxMs, this.o.reconnectBaseMs * 2 ** this.attempt++);
    const delay = cap / 2 + Math.random() * (cap / 2);
    this.log.debug({ reason, delay: Math.round(delay) }, 'call control socket down, reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private teardown(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = undefined;
    clearInterval(this.pingTimer);
    if (!ws) return;
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
    else ws.terminate();
  }
}
