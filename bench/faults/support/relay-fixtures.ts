import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type pg from 'pg';
import {
  encryptSecret,
  generateWebhookSecret,
  isOptInEventType,
  typePatternMatches,
} from '@3cx-relay/events';
import { until } from './wait.js';

/** An API key as a client presents it, with its row id. */
export interface ApiKey {
  id: string;
  prefix: string;
  /** `<prefix>.<secret>` */
  key: string;
}

/**
 * Inserts an API key the way the admin does: prefix `rk_` + 12 hex, bcrypt (12 rounds) of
 * the secret, the given scopes.
 */
export async function createApiKey(pool: pg.Pool, scopes: string[], name = 'fault-suite'): Promise<ApiKey> {
  const prefix = `rk_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(24).toString('base64url');
  const hash = await bcrypt.hash(secret, 12);
  const res = await pool.query<{ id: string }>(
    'INSERT INTO api_keys (name, prefix, secret_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING id::text',
    [name, prefix, hash, scopes],
  );
  return { id: res.rows[0]!.id, prefix, key: `${prefix}.${secret}` };
}

/** Revokes a key and tells the worker (the admin sends `reload-keys` the same way). */
export async function revokeApiKey(pool: pg.Pool, key: ApiKey): Promise<void> {
  await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [key.id]);
  await sendControl(pool, 'reload-keys', {});
}

/** A subscription the suite created: its id and plain signing secret. */
export interface Subscription {
  id: string;
  secret: string;
  eventTypes: string[];
}

/** Options of {@link createSubscription}. */
export interface SubscriptionInput {
  url: string;
  /** Empty = every type; `call.*` style wildcards as the relay understands them. */
  eventTypes?: string[];
  /**
   * Loopback receivers need it (the SSRF guard refuses loopback otherwise). Default true: the
   * subscription's allowed CIDRs are `0.0.0.0/0` and `::/0`, what "allow local network" became.
   */
  allowLocalNetwork?: boolean;
  maxConcurrency?: number;
  /** Default: the database default for new subscriptions (`per-call`). */
  ordering?: 'per-call' | 'none';
  /** Signing secret; default a new `whsec_` one. */
  secret?: string;
}

/** Inserts a webhook subscription and its encrypted `whsec_` secret, as the admin does. */
export async function createSubscription(
  pool: pg.Pool,
  encryptionKey: Buffer,
  input: SubscriptionInput,
): Promise<Subscription> {
  const eventTypes = input.eventTypes ?? [];
  const res = await pool.query<{ id: string }>(
    `INSERT INTO webhook_subscriptions (name, url, event_types, extensions, dids, queues, allowed_cidrs, max_concurrency, ordering)
     VALUES ($1, $2, $3, '{}', '{}', '{}', $4, $5, coalesce($6, 'per-call')) RETURNING id::text`,
    [
      `fault-${randomBytes(3).toString('hex')}`,
      input.url,
      eventTypes,
      (input.allowLocalNetwork ?? true) ? ['0.0.0.0/0', '::/0'] : [],
      input.maxConcurrency ?? 8,
      input.ordering ?? null,
    ],
  );
  const id = res.rows[0]!.id;
  const secret = input.secret ?? generateWebhookSecret();
  await pool.query('INSERT INTO webhook_secrets (subscription_id, ciphertext) VALUES ($1, $2)', [
    id,
    encryptSecret(secret, encryptionKey),
  ]);
  return { id, secret, eventTypes };
}

/**
 * Whether an event type passes a subscription's type filter: the relay's own rule from
 * @3cx-relay/events (opt-in types only where a pattern names them or their own family), so the
 * ledger never drifts from the outbox.
 */
export function typeMatches(patterns: string[], type: string): boolean {
  if (patterns.length === 0) return !isOptInEventType(type);
  return patterns.some((p) => typePatternMatches(p, type));
}

/** Queues an admin command (row + NOTIFY, as the admin does); returns its id. */
export async function sendControl(
  pool: pg.Pool,
  command: string,
  args: Record<string, unknown>,
): Promise<string> {
  const res = await pool.query<{ id: string }>(
    'INSERT INTO control_commands (command, args) VALUES ($1, $2::jsonb) RETURNING id::text',
    [command, JSON.stringify(args)],
  );
  const id = res.rows[0]!.id;
  await pool.query('SELECT pg_notify($1, $2)', ['relay_control', JSON.stringify({ id, command, args })]);
  return id;
}

/** Sends a command and waits for the worker's result text. */
export async function runControl(
  pool: pg.Pool,
  command: string,
  args: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<string> {
  const id = await sendControl(pool, command, args);
  return until(
    async () =>
      (await pool.query<{ result: string | null }>('SELECT result FROM control_commands WHERE id = $1', [id]))
        .rows[0]?.result,
    timeoutMs,
    `control ${command}`,
  );
}

/** Stored events as the suite reads them back. */
export interface StoredEventRow {
  sequence: string;
  id: string;
  type: string;
  call_id: string | null;
  call_history_id: string | null;
  data: Record<string, unknown>;
}

/** Every event in the relay's store (bounded by what the scenario produced). */
export async function readEvents(
  pool: pg.Pool,
  where = 'true',
  params: unknown[] = [],
): Promise<StoredEventRow[]> {
  const res = await pool.query<StoredEventRow>(
    `SELECT sequence::text, id, type, call_id, call_history_id, data FROM events WHERE ${where} ORDER BY events.sequence`,
    params,
  );
  return res.rows;
}
