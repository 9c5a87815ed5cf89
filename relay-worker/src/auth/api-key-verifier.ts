import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import bcrypt from 'bcrypt';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * API scopes. `webhooks:manage`: create and manage the key's own webhook subscriptions;
 * `webhooks:admin`: manage every subscription (the panel's and other keys').
 */
export type Scope =
  | 'calls:read'
  | 'history:read'
  | 'events:subscribe'
  | 'recordings:read'
  | 'webhooks:manage'
  | 'webhooks:admin';

/** A key that passed verification. */
export interface VerifiedKey {
  id: string;
  prefix: string;
  scopes: string[];
  /** Requests per minute; null = the relay default. */
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
}

interface CacheEntry {
  key: VerifiedKey | null;
  until: number;
}

/** `rk_` + 12 hex, a dot, then the secret. */
const KEY_PATTERN = /^(rk_[0-9a-f]{12})\.([A-Za-z0-9_-]{16,128})$/;

export interface ApiKeyVerifierOptions {
  /** How long a verified key is trusted without bcrypt (default 60 s). Revocations cut it short. */
  cacheMs?: number;
  /** How long a wrong key is remembered as wrong, so retries cannot burn bcrypt time (default 5 s). */
  negativeCacheMs?: number;
  /**
   * Secrets per minute not yet seen to pass that may cost a bcrypt for one key prefix from one
   * client (default 3, also the burst), and from all clients together (default 30). Past that,
   * they are refused without bcrypt until the budget refills; the secret that last passed for
   * the prefix is always checked, and a right one gets its charge back.
   */
  wrongSecretsPerMinute?: { perClient: number; perPrefix: number };
  /** Told the outcome of every check (metrics): a cache hit, a fresh bcrypt pass, or a refusal. */
  onCheck?: (outcome: KeyCheckOutcome) => void;
}

/**
 * How a key check ended: `cached` (valid, from cache), `verified` (valid, bcrypt), `rejected`
 * (invalid), `throttled` (refused without bcrypt: its prefix had too many wrong secrets lately).
 */
export type KeyCheckOutcome = 'cached' | 'verified' | 'rejected' | 'throttled';

interface Lookup {
  key: VerifiedKey | null;
  throttled: boolean;
}

/**
 * Checks API keys (`<prefix>.<secret>`). bcrypt costs ~200 ms, so a key is verified once and
 * the result cached by SHA-256 of the whole key: a hit costs one hash and one map lookup.
 * A prefix is not secret (viewers, the audit log and logs show it), so wrong secrets are also
 * budgeted per prefix: random secrets for a known prefix cost a few bcrypts a minute, not one
 * each, while the prefix's real secret (the last one that passed) is still checked.
 * Revocation: {@link ApiKeyVerifier.revalidate} (on the `reload-keys` control command, sent
 * with a NOTIFY by the admin, and every 30 s as a safety net) drops every cached key that was
 * revoked, expired or deleted and emits `'revoked'` so open WebSockets of those keys close.
 */
export class ApiKeyVerifier extends EventEmitter<{ revoked: [keyIds: string[]] }> {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<Lookup>>();
  /** Per prefix: the SHA-256 of the secret that last passed bcrypt. */
  private readonly lastGood = new Map<string, string>();
  private readonly perClient: RateLimiter;
  private readonly perPrefix: RateLimiter;
  private readonly cacheMs: number;
  private readonly negativeCacheMs: number;
  private readonly onCheck: (outcome: KeyCheckOutcome) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    opts: ApiKeyVerifierOptions = {},
  ) {
    super();
    this.cacheMs = opts.cacheMs ?? 60_000;
    this.negativeCacheMs = opts.negativeCacheMs ?? 5000;
    this.onCheck = opts.onCheck ?? (() => undefined);
    this.perClient = new RateLimiter(opts.wrongSecretsPerMinute?.perClient ?? 3);
    this.perPrefix = new RateLimiter(opts.wrongSecretsPerMinute?.perPrefix ?? 30);
  }

  /**
   * The key's record, or null when the key is malformed, unknown, wrong, revoked or expired.
   * `client` (the caller's address) keys the budget of secrets that may cost a bcrypt, so one
   * client guessing secrets for a prefix does not use up another's.
   */
  async verify(presented: string, client = 'unknown'): Promise<VerifiedKey | null> {
    const digest = createHash('sha256').update(presented).digest('base64');
    const now = Date.now();
    const hit = this.cache.get(digest);
    if (hit && hit.until > now) {
      const valid = hit.key && !(hit.key.expiresAt && hit.key.expiresAt.getTime() <= now);
      this.onCheck(valid ? 'cached' : 'rejected');
      return valid ? hit.key : null;
    }
    let pending = this.inflight.get(digest);
    if (!pending) {
      pending = this.lookup(presented, digest, client).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, pending);
    }
    const { key, throttled } = await pending;
    // A throttled secret was never checked: it may be right, from a client with budget left.
    if (!throttled)
      this.cache.set(digest, { key, until: Date.now() + (key ? this.cacheMs : this.negativeCacheMs) });
    this.onCheck(key ? 'verified' : throttled ? 'throttled' : 'rejected');
    return key;
  }

  private async lookup(presented: string, digest: string, client: string): Promise<Lookup> {
    const m = KEY_PATTERN.exec(presented);
    if (!m) return { key: null, throttled: false };
    const res = await this.pool.query<{
      id: string;
      secret_hash: string;
      scopes: string[];
      rate_limit_per_minute: number | null;
      expires_at: Date | null;
    }>(
      `SELECT id::text, secret_hash, scopes, rate_limit_per_minute, expires_at FROM api_keys
        WHERE prefix = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [m[1]],
    );
    const row = res.rows[0];
    if (!row) return { key: null, throttled: false };
    const prefix = m[1]!;
    // Charge the budgets before bcrypt runs, so parallel guesses cannot overspend them.
    const charged = this.lastGood.get(prefix) !== digest;
    if (charged && !this.chargeBudgets(prefix, client)) return { key: null, throttled: true };
    if (!(await bcrypt.compare(m[2]!, row.secret_hash))) return { key: null, throttled: false };
    if (charged) {
      this.perClient.refund(`${prefix}|${client}`, null);
      this.perPrefix.refund(prefix, null);
    }
    this.lastGood.set(prefix, digest);
    return {
      key: {
        id: row.id,
        prefix,
        scopes: row.scopes,
        rateLimitPerMinute: row.rate_limit_per_minute,
        expiresAt: row.expires_at,
      },
      throttled: false,
    };
  }

  /** Takes one token of the client's and of the prefix's budget, or neither. */
  private chargeBudgets(prefix: string, client: string): boolean {
    if (!this.perClient.take(`${prefix}|${client}`, null).ok) return false;
    if (this.perPrefix.take(prefix, null).ok) return true;
    this.perClient.refund(`${prefix}|${client}`, null);
    return false;
  }

  /** Re-reads every cached key; drops and announces the ones no longer valid, refreshes scopes. */
  async revalidate(): Promise<string[]> {
    const entries = [...this.cache.entries()].filter(([, e]) => e.key);
    const ids = [...new Set(entries.map(([, e]) => e.key!.id))];
    // Negative entries may belong to a key created a moment ago: forget them too.
    for (const [d, e] of this.cache) if (!e.key) this.cache.delete(d);
    if (ids.length === 0) return [];
    const res = await this.pool.query<{
      id: string;
      scopes: string[];
      rate_limit_per_minute: number | null;
      expires_at: Date | null;
    }>(
      `SELECT id::text, scopes, rate_limit_per_minute, expires_at FROM api_keys
        WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [ids],
    );
    const valid = new Map(res.rows.map((r) => [r.id, r]));
    const revoked = ids.filter((id) => !valid.has(id));
    for (const [digest, e] of entries) {
      const row = valid.get(e.key!.id);
      if (!row) {
        this.cache.delete(digest);
        this.lastGood.delete(e.key!.prefix);
      } else
        Object.assign(e.key!, {
          scopes: row.scopes,
          rateLimitPerMinute: row.rate_limit_per_minute,
          expiresAt: row.expires_at,
        });
    }
    if (revoked.length) {
      this.log.info({ keyIds: revoked }, 'API keys revoked or expired; cache entries dropped');
      this.emit('revoked', revoked);
    }
    return revoked;
  }

  /** Revalidates every `everyMs` in case a NOTIFY was missed. */
  startPeriodicRevalidation(everyMs = 30_000): void {
    this.timer = setInterval(() => {
      this.revalidate().catch((err) =>
        this.log.warn({ err: coerceError(err) }, 'could not revalidate API keys'),
      );
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  const a = Array.isArray(auth) ? auth[0] : auth;
  if (a) {
    const m = /^Bearer\s+(\S+)$/i.exec(a.trim());
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  return (Array.isArray(x) ? x[0] : x)?.trim() || undefined;
}
