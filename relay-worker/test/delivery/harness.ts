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
}

type Responder = (
  req: Received,
  n: number,
) => { status: number; headers?: Record<string, string>; body?: string };

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
        const answer = this.respond(r, this.received.length);
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
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
    allowLocalNetwork?: boolean;
    maxConcurrency?: number;
    secrets?: { secret?: string; expiresAt?: Date | null; createdAt?: Date }[];
  },
): Promise<{ id: string; secrets: string[] }> {
  const res = await pool.query<{ id: string }>(
    `INSERT INTO webhook_subscriptions (name, url, event_types, extensions, dids, queues, allow_local_network, max_concurrency)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id::text`,
    [
      `sub-${randomUUID().slice(0, 6)}`,
      opts.url,
      opts.eventTypes ?? [],
      opts.extensions ?? [],
      opts.dids ?? [],
      opts.queues ?? [],
      opts.allowLocalNetwork ?? true,
      opts.maxConcurrency ?? 8,
    ],
  );
  const id = res.rows[0]!.id;
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
/** A minimal event for the store (the store does not validate `data`). */
export function makeEvent(
  type: NewEvent['type'],
  fields: Partial<Pick<NewEvent, 'extensions' | 'dids' | 'queues' | 'occurredAt'>> = {},
): NewEvent {
  const n = ++counter;
  return {
    id: eventId(type, `test-${process.pid}`, `${Date.now()}-${n}-${randomUUID()}`),
    type,
    occurredAt: fields.occurredAt ?? new Date(),
    callId: `call-${n}`,
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
