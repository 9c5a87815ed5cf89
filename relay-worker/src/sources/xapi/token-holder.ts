import { request, type Dispatcher } from 'undici';
import type { Logger } from '../../logger.js';
import { PbxError, errorForStatus } from '../pbx-error.js';
import { refreshAt, tokenLifetimeMs } from './token-lifetime.js';

export interface TokenHolderOptions {
  /** PBX web-client base URL, e.g. https://pbx.example.com. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  dispatcher?: Dispatcher;
  /** Clock, for tests. */
  now?: () => number;
}

interface Held {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

/**
 * The process's only holder of the PBX access token (3CX keeps one active token per API client,
 * so XAPI and Call Control must share it). Fetches with client credentials, refreshes before
 * expiry (minutes/seconds `expires_in` handled by {@link tokenLifetimeMs}), and never has two
 * fetches in flight: concurrent callers wait on the same promise.
 */
export class TokenHolder {
  private held: Held | undefined;
  private inflight: Promise<string> | undefined;
  private readonly now: () => number;
  /** Number of successful token fetches (for tests and stats). */
  fetchCount = 0;

  constructor(
    private readonly opts: TokenHolderOptions,
    private readonly log: Logger,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** A valid token: the held one unless it is due for refresh. */
  async get(): Promise<string> {
    if (this.held && this.now() < this.held.refreshAt) return this.held.token;
    return this.fetch();
  }

  /**
   * A new token after the PBX rejected `rejected` with 401. If another caller already replaced
   * it, that newer token is returned without a second fetch.
   */
  async renew(rejected: string): Promise<string> {
    if (this.held && this.held.token !== rejected) return this.held.token;
    this.held = undefined;
    return this.fetch();
  }

  /** Drops the held token so the next {@link get} fetches a fresh one (e.g. before a WS reconnect). */
  invalidate(): void {
    this.held = undefined;
  }

  /** When the held token expires (ms since epoch), if one is held. */
  get expiresAt(): number | undefined {
    return this.held?.expiresAt;
  }

  private fetch(): Promise<string> {
    this.inflight ??= this.doFetch().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async doFetch(): Promise<string> {
    const body = new URLSearchParams({
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
      grant_type: 'client_credentials',
    });
    let res: Dispatcher.ResponseData;
    try {
      res = await request(new URL('/connect/token', this.opts.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        dispatcher: this.opts.dispatcher,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (err) {
      throw new PbxError(
        'NETWORK',
        `cannot reach ${this.opts.baseUrl}/connect/token: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
    const text = await res.body.text();
    if (res.statusCode === 400 || res.statusCode === 401) {
      const e = errorForStatus(401, '/connect/token', text);
      throw new PbxError('BAD_CREDENTIALS', e.message, res.statusCode);
    }
    if (res.statusCode >= 300) throw errorForStatus(res.statusCode, '/connect/token', text);
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new PbxError(
        'MALFORMED',
        '/connect/token answered with something that is not JSON',
        res.statusCode,
      );
    }
    if (typeof json.access_token !== 'string' || !json.access_token) {
      throw new PbxError('MALFORMED', '/connect/token answered without access_token', res.statusCode);
    }
    const obtainedAt = this.now();
    const lifetime = tokenLifetimeMs(json.expires_in);
    this.held = {
      token: json.access_token,
      expiresAt: obtainedAt + lifetime,
      refreshAt: refreshAt(obtainedAt, lifetime),
    };
    this.fetchCount++;
    this.log.debug({ expiresIn: json.expires_in, lifetimeMs: lifetime }, 'obtained PBX access token');
    return json.access_token;
  }
}
