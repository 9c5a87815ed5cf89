import type pg from 'pg';
import { decryptSecret } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import { decodeSigningKey, type SigningKey } from './sign-payload.js';

/** What the dispatcher needs of a subscription, with its signing keys decrypted. */
export interface ActiveSubscription {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  /** `per-call` or `none` (see `deliveries.order_key`). */
  ordering: 'per-call' | 'none';
  /** Private CIDRs the URL may resolve to, canonical (`10.0.0.0/8`); empty = public only. */
  allowedCidrs: string[];
  maxConcurrency: number;
  /** Per-attempt timeout, ms; null = the worker's default. */
  timeoutMs: number | null;
  /** Deliveries per second at most; null = no limit. */
  rateLimitPerSecond: number | null;
  /** Extra request headers, decrypted (lower-case names). */
  headers: Record<string, string>;
  /**
   * Decoded signing keys (HMAC `v1` and/or ed25519 `v1a`), current ones first, then newest
   * first, each with the instant it stops signing (null = never).
   */
  keys: { key: SigningKey; expiresAt: Date | null }[];
  /** Why no key could be used, if so (e.g. no RELAY_ENCRYPTION_KEY). */
  keyError: string | null;
  /**
   * A header value that does not decrypt: deliveries fail with this error instead of going out
   * without the receiver's own authentication header.
   */
  headerError: string | null;
}

interface Row {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  ordering: string;
  allowed_cidrs: string[] | null;
  max_concurrency: number;
  timeout_ms: number | null;
  rate_limit_per_second: number | null;
  secrets: { scheme: string; ciphertext: string; expires_at: string | null }[] | null;
  headers: { name: string; ciphertext: string }[] | null;
}

/**
 * In-memory view of `webhook_subscriptions` and their secrets for the hot path. Loaded at
 * start, reloaded on the `reload-subscriptions` control command, and fetched on demand for an
 * id it has not seen (a subscription created since the last reload).
 */
export class SubscriptionStore {
  private byId = new Map<string, ActiveSubscription>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly encryptionKey: Buffer | undefined,
    private readonly log: Logger,
  ) {}

  /** Reloads every subscription. */
  async reload(): Promise<number> {
    const rows = await this.query();
    this.byId = new Map(rows.map((r) => [r.id, this.toActive(r)]));
    return this.byId.size;
  }

  /** The subscriptions with these ids, loading unknown ones. */
  async getMany(ids: Iterable<string>): Promise<Map<string, ActiveSubscription>> {
    const missing = [...new Set(ids)].filter((id) => !this.byId.has(id));
    if (missing.length) for (const r of await this.query(missing)) this.byId.set(r.id, this.toActive(r));
    return this.byId;
  }

  get(id: string): ActiveSubscription | undefined {
    return this.byId.get(id);
  }

  /** Marks a subscription disabled in memory (the database row is updated by the caller). */
  markDisabled(id: string): void {
    const s = this.byId.get(id);
    if (s) s.enabled = false;
  }

  /** Keys that still sign at `now`, current first. */
  static signingKeys(sub: ActiveSubscription, now = Date.now()): SigningKey[] {
    return sub.keys.filter((k) => k.expiresAt === null || k.expiresAt.getTime() > now).map((k) => k.key);
  }

  private async query(ids?: string[]): Promise<Row[]> {
    const res = await this.pool.query<Row>(
      `SELECT s.id, s.name, s.url, s.enabled, s.ordering, s.allowed_cidrs, s.max_concurrency, s.timeout_ms,
              s.rate_limit_per_second,
              (SELECT json_agg(json_build_object('scheme', w.scheme, 'ciphertext', w.ciphertext, 'expires_at', w.expires_at)
                                ORDER BY w.expires_at IS NULL DESC, w.created_at DESC, w.scheme)
                 FROM webhook_secrets w WHERE w.subscription_id = s.id AND (w.expires_at IS NULL OR w.expires_at > now())) AS secrets,
              (SELECT json_agg(json_build_object('name', h.name, 'ciphertext', h.value_ciphertext) ORDER BY h.name)
                 FROM webhook_headers h WHERE h.subscription_id = s.id) AS headers
         FROM webhook_subscriptions s ${ids ? 'WHERE s.id = ANY($1::uuid[])' : ''}`,
      ids ? [ids] : [],
    );
    return res.rows;
  }

  private toActive(r: Row): ActiveSubscription {
    const keys: ActiveSubscription['keys'] = [];
    let keyError: string | null = null;
    for (const s of r.secrets ?? []) {
      try {
        if (!this.encryptionKey) throw new Error('RELAY_ENCRYPTION_KEY is not set');
        keys.push({
          key: decodeSigningKey(s.scheme, decryptSecret(s.ciphertext, this.encryptionKey)),
          expiresAt: s.expires_at ? new Date(s.expires_at) : null,
        });
      } catch (err) {
        keyError = `cannot decrypt a signing secret: ${coerceError(err).message}`;
        this.log.error(
          { subscriptionId: r.id, err: coerceError(err) },
          'cannot decrypt webhook signing secret',
        );
      }
    }
    if (keys.length === 0 && !keyError) keyError = 'subscription has no signing secret';
    const headers: Record<string, string> = {};
    let headerError: string | null = null;
    for (const h of r.headers ?? []) {
      try {
        if (!this.encryptionKey) throw new Error('RELAY_ENCRYPTION_KEY is not set');
        headers[h.name] = decryptSecret(h.ciphertext, this.encryptionKey);
      } catch (err) {
        // Sending without the receiver's own auth header would only be refused: hold the deliveries.
        headerError = `cannot decrypt the value of header ${h.name}: ${coerceError(err).message}`;
        this.log.error(
          { subscriptionId: r.id, header: h.name, err: coerceError(err) },
          'cannot decrypt webhook header',
        );
      }
    }
    return {
      id: r.id,
      name: r.name,
      url: r.url,
      enabled: r.enabled,
      ordering: r.ordering === 'none' ? 'none' : 'per-call',
      allowedCidrs: r.allowed_cidrs ?? [],
      maxConcurrency: Math.max(1, r.max_concurrency),
      timeoutMs: r.timeout_ms,
      rateLimitPerSecond: r.rate_limit_per_second,
      headers,
      keys,
      keyError,
      headerError,
    };
  }
}
