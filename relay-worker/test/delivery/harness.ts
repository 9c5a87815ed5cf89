import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { encryptSecret, eventId, generateWebhookSecret, type NewEvent } from '@3cx-relay/events';
import { EventStore } from '../../src/events/event-store.js';
import { StatusBoard } from '../../src/status/status-board.js';
import { RelayMetrics } from '../../src/stats/relay-metrics.js';
import { DeliveryService, type DeliveryConfig } from '../../src/delivery/delivery-service.js';

export const silent = pino({ level: 'silent' });
export const ENCRYPTION_KEY = randomBytes(32);

/** One request as the receiver saw it. */
export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status this receiver answered (undefined while the answer is held back). */
  status?: number;
}

type Answer = { status: number; headers?: Record<string, string>; body?: string };
type Responder = (req: Received, n: number) => Answer | Promise<Answer>;

/** A webhook receiver on 127.0.0.1 whose answers a test scripts. */
export class Receiver {
  readonly received: Received[] = [];
  respond: Responder = () => ({ status: 200, body: 'ok' });
  private server: http.Server | undefined;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = {
          at: Date.now(),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.received.push(r);
        void Promise.resolve(this.respond(r, this.received.length)).then((answer) => {
          if (answer.status === 0) return; // held: no answer (the client times out or dies)
          r.status = answer.status;
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? '');
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Everything a delivery test needs: a fresh database, an event store and a delivery service. */
export interface Harness {
  t: TestDatabase;
  pool: pg.Pool;
  store: EventStore;
  delivery: DeliveryService;
  metrics: RelayMetrics;
  stop(): Promise<void>;
}

export const FAST: Omit<DeliveryConfig, 'encryptionKey'> = {
  retryScheduleMs: [150, 300],
  retryJitter: 0,
  timeoutMs: 2000,
  disableAfterMs: 5 * 86_400_000,
  pollMs: 25,
  maxInFlight: 500,
  leaseMs: 10_000,
  retentionMs: 30 * 86_400_000,
  prune: false,
};

export async function startHarness(
  cfg: Partial<DeliveryConfig> = {},
  existing?: { t: TestDatabase },
): Promise<Harness> {
  const t = existing?.t ?? (await createTestDatabase('delivery'));
  const pool = new pg.Pool({ connectionString: t.url, max: 8 });
  const store = new EventStore(pool, silent);
  const status = new StatusBoard(pool, silent);
  const metrics = new RelayMetrics();
  const delivery = new DeliveryService(
    { pool, store, status, metrics, log: silent },
    { ...FAST, encryptionKey: ENCRYPTION_KEY, ...cfg },
  );
  await delivery.start();
  return {
    t,
    pool,
    store,
    delivery,
    metrics,
    async stop() {
      await delivery.stop();
      await pool.end();
      if (!existing) await t.drop();
    },
  };
}

/** Inserts a subscription with one (or more) encrypted secrets; returns its id and plain secrets. */
export async function createSubscription(
  pool: pg.Pool,
  opts: {
    url: string;
    eventTypes?: string[];
    extensions?: string[];
    dids?: string[];
    queues?: string[];
    /** Default true: loopback receivers need it (the SSRF guard refuses them otherwise). */
    allowLocalNetwork?: boolean;
    maxConcurrency?: number;
    /** Default `none` unless a test is about ordering: most tests predate it. */
    ordering?: 'per-call' | 'none';
    timeoutMs?: number | null;
    rateLimitPerSecond?: number | null;
    allowedCidrs?: string[];
    /** Extra request headers, stored encrypted as the admin does. */
    headers?: Record<string, string>;
    secrets?: { secret?: string; expiresAt?: Date | null; createdAt?: Date }[];
  },
): Promise<{ id: string; secrets: string[] }> {
  const res = await pool.query<{ id: string }>(
    `INSERT INTO webhook_subscriptions (name, url, event_types, extensions, dids, queues, allowed_cidrs, max_concurrency,
                                        ordering, timeout_ms, rate_limit_per_second)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id::text`,
    [
      `sub-${randomUUID().slice(0, 6)}`,
      opts.url,
      opts.eventTypes ?? [],
      opts.extensions ?? [],
      opts.dids ?? [],
      opts.queues ?? [],
      opts.allowedCidrs ?? ((opts.allowLocalNetwork ?? true) ? ['127.0.0.0/8', '::1/128'] : []),
      opts.maxConcurrency ?? 8,
      opts.ordering ?? 'none',
      opts.timeoutMs ?? null,
      opts.rateLimitPerSecond ?? null,
    ],
  );
  const id = res.rows[0]!.id;
  for (const [name, value] of Object.entries(opts.headers ?? {}))
    await pool.query(
      'INSERT INTO webhook_headers (subscription_id, name, value_ciphertext) VALUES ($1, $2, $3)',
      [id, name, encryptSecret(value, ENCRYPTION_KEY)],
    );
  const secrets: string[] = [];
  for (const s of opts.secrets ?? [{}]) {
    const secret = s.secret ?? generateWebhookSecret();
    secrets.push(secret);
    await pool.query(
      'INSERT INTO webhook_secrets (subscription_id, ciphertext, expires_at, created_at) VALUES ($1, $2, $3, $4)',
      [id, encryptSecret(secret, ENCRYPTION_KEY), s.expiresAt ?? null, s.createdAt ?? new Date()],
    );
  }
  return { id, secrets };
}

let counter = 0;
/** A minimal event for the store (the store does not validate `data`); its own call unless `callId` is given. */
export function makeEvent(
  type: NewEvent['type'],
  fields: Partial<
    Pick<NewEvent, 'extensions' | 'dids' | 'queues' | 'occurredAt' | 'callId' | 'callHistoryId'>
  > = {},
): NewEvent {
  const n = ++counter;
  return {
    id: eventId(type, `test-${process.pid}`, `${Date.now()}-${n}-${randomUUID()}`),
    type,
    occurredAt: fields.occurredAt ?? new Date(),
    callId: fields.callId === undefined ? `call-${n}` : fields.callId,
    callHistoryId: fields.callHistoryId ?? null,
    extensions: fields.extensions ?? ['101'],
    dids: fields.dids ?? [],
    queues: fields.queues ?? [],
    data: { n, note: 'ünïcode' },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T> | T,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a receiver asserting per-call order saw. */
export interface OrderReport {
  /** Distinct webhook-ids answered 2xx. */
  accepted: number;
  /** A webhook-id accepted for the first time after a higher sequence of its order key. */
  violations: string[];
  /** Accepted sequences per order key, in acceptance order. */
  byKey: Map<string, bigint[]>;
}

/**
 * Reads what a receiver accepted (2xx, first time per webhook-id) per `relay-order-key`, and
 * counts order violations: an event accepted after a later event of its call. Duplicates
 * (at-least-once) are not violations.
 */
export function orderReport(received: readonly Received[]): OrderReport {
  const seen = new Set<string>();
  const byKey = new Map<string, bigint[]>();
  const violations: string[] = [];
  for (const r of received) {
    const id = String(r.headers['webhook-id']);
    if (r.status === undefined || r.status < 200 || r.status >= 300 || seen.has(id)) continue;
    seen.add(id);
    const key = r.headers['relay-order-key'];
    if (typeof key !== 'string') continue;
    const seq = BigInt(String(r.headers['relay-sequence']));
    const list = byKey.get(key) ?? [];
    if (list.some((s) => s > seq)) violations.push(`${key} #${seq} after #${list.at(-1)}`);
    list.push(seq);
    byKey.set(key, list);
  }
  return { accepted: seen.size, violations, byKey };
}

/** A deterministic share of webhook-ids, e.g. the 10 % whose first attempt a receiver fails. */
export function inShare(id: string, share: number): boolean {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return (h % 1000) / 1000 < share;
}
