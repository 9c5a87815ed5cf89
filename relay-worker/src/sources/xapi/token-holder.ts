import { request, type Dispatcher } from 'undici';
import type { Logger } from '../../logger.js';
import { PbxError, errorForStatus, extractMessage } from '../pbx-error.js';
import { describeBody, readCappedBody } from '../read-capped-body.js';
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

/** The other cause of a refused token: Console Restrictions apply to API clients too (20.0.10 swagger). */
const CONSOLE_RESTRICTIONS_HINT =
  "if they are right, 3CX's Console Restrictions (the Admin Console's IP allow-list) may not list this machine";

/** A token answer is a few KiB; anything above this is garbage (bytes). */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;
/** Backoff after a garbage token answer: 1 s, 2 s, 4 s … capped at 30 s. */
const GARBAGE_BACKOFF_MS = [1000, 30_000] as const;

interface Held {
  token: string;
  refreshAt: number;
  expiresAt: number;
}

/**
 * The process's only holder of the PBX access token (3CX keeps one active token per API client,
 * so XAPI and Call Control must share it). Fetches with client credentials, refreshes before
 * expiry (minutes/seconds `expires_in` handled by {@link tokenLifetimeMs}), and never has two
 * fetches in flight: concurrent callers wait on the same promise. After a garbage answer
 * (not JSON, no `access_token`, oversized) it backs off: until the retry time every caller
 * gets the same error at once instead of a new request, so a broken proxy is not hammered.
 */
export class TokenHolder {
  private held: Held | undefined;
  private inflight: Promise<string> | undefined;
  /** The last garbage answer and when the next fetch may be tried. */
  private backoff: { error: PbxError; retryAt: number; failures: number } | undefined;
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

  /** Drops the held token (and any garbage backoff) so the next {@link get} fetches at once (control `reconnect`). */
  invalidate(): void {
    this.held = undefined;
    this.backoff = undefined; // an explicit reconnect tries at once
  }

  /** The token held now, if any (it may be due for refresh). */
  get current(): string | undefined {
    return this.held?.token;
  }

  /** True while a token fetch is in flight. */
  get fetching(): boolean {
    return this.inflight !== undefined;
  }

  /** When the held token expires (ms since epoch), if one is held. */
  get expiresAt(): number | undefined {
    return this.held?.expiresAt;
  }

  private fetch(): Promise<string> {
    if (this.backoff && this.now() < this.backoff.retryAt) return Promise.reject(this.backoff.error);
    this.inflight ??= this.doFetch()
      .then((token) => {
        this.backoff = undefined;
        return token;
      })
      .catch((err: unknown) => {
        if (err instanceof PbxError && (err.kind === 'MALFORMED' || err.kind === 'TOO_LARGE')) {
          const failures = (this.backoff?.failures ?? 0) + 1;
          const wait = Math.min(GARBAGE_BACKOFF_MS[0] * 2 ** (failures - 1), GARBAGE_BACKOFF_MS[1]);
          const error = new PbxError(
            err.kind,
            `${err.message}; retrying in ${wait / 1000} s`,
            err.httpStatus,
          );
          this.backoff = { error, retryAt: this.now() + wait, failures };
          throw error;
        }
        throw err;
      })
      .finally(() => {
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
    const text = await readCappedBody(res, '/connect/token', MAX_TOKEN_RESPONSE_BYTES);
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      // A refused token is wrong credentials, or 3CX's IP allow-list refusing this machine.
      const detail = extractMessage(text);
      throw new PbxError(
        'BAD_CREDENTIALS',
        `PBX refused the token for /connect/token (${res.statusCode})${detail ? `: ${detail}` : ''}; check the API client id and secret; ${CONSOLE_RESTRICTIONS_HINT}`,
        res.statusCode,
      );
    }
    if (res.statusCode >= 300) throw errorForStatus(res.statusCode, '/connect/token', text);
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new PbxError('MALFORMED', `/connect/token answered with ${describeBody(text)}`, res.statusCode);
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
