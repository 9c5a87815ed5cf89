import type pg from 'pg';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

interface Bucket {
  keyId: string;
  bucket: Date;
  route: string;
  statusClass: string;
  count: number;
  totalLatencyMs: number;
}

/**
 * Counts API requests in memory, per key, minute, route and status class, and writes them
 * every `flushMs` in one upsert (plus one `last_used_at` update for every key seen): no
 * database write per request.
 */
export class UsageRecorder {
  private buckets = new Map<string, Bucket>();
  private lastUsed = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  record(keyId: string, route: string, statusCode: number, latencyMs: number, now = new Date()): void {
    this.add({
      keyId,
      bucket: new Date(Math.floor(now.getTime() / 60_000) * 60_000),
      route,
      statusClass: `${Math.floor(statusCode / 100)}xx`,
      count: 1,
      totalLatencyMs: latencyMs,
    });
    this.lastUsed.set(keyId, now);
  }

  /** Adds a count to its bucket (per key, minute, route and status class). */
  private add(r: Bucket): void {
    const k = `${r.keyId}|${r.bucket.getTime()}|${r.route}|${r.statusClass}`;
    const cur = this.buckets.get(k);
    if (cur) {
      cur.count += r.count;
      cur.totalLatencyMs += r.totalLatencyMs;
    } else this.buckets.set(k, r);
  }

  start(flushMs: number): void {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what was counted since the last flush; on failure keeps it for the next one. */
  async flush(): Promise<void> {
    if (this.buckets.size === 0 && this.lastUsed.size === 0) return;
    const rows = [...this.buckets.values()];
    const used = [...this.lastUsed.entries()];
    this.buckets = new Map();
    this.lastUsed = new Map();
    // One transaction: counts and last_used_at land together, and a failure re-queues rows
    // that were not written (two separate statements could count a bucket twice).
    const client = await this.pool.connect().catch((err: unknown) => err as Error);
    try {
      if (client instanceof Error) throw client;
      await client.query('BEGIN');
      if (rows.length) {
        await client.query(
          `INSERT INTO api_usage (api_key_id, bucket, route, status_class, count, total_latency_ms)
           SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::float8[])
           ON CONFLICT (api_key_id, bucket, route, status_class) DO UPDATE
              SET count = api_usage.count + EXCLUDED.count, total_latency_ms = api_usage.total_latency_ms + EXCLUDED.total_latency_ms`,
          [
            rows.map((r) => r.keyId),
            rows.map((r) => r.bucket),
            rows.map((r) => r.route),
            rows.map((r) => r.statusClass),
            rows.map((r) => r.count),
            rows.map((r) => r.totalLatencyMs),
          ],
        );
      }
      if (used.length) {
        await client.query(
          `UPDATE api_keys k SET last_used_at = greatest(k.last_used_at, u.at)
             FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, at) WHERE k.id = u.id`,
          [used.map(([id]) => id), used.map(([, at]) => at)],
        );
      }
      await client.query('COMMIT');
    } catch (err) {
      if (!(client instanceof Error)) await client.query('ROLLBACK').catch(() => undefined);
      this.log.warn(
        { err: coerceError(err), buckets: rows.length },
        'could not write API usage; keeping it for the next flush',
      );
      for (const r of rows) this.add(r);
      for (const [id, at] of used) if (!this.lastUsed.has(id)) this.lastUsed.set(id, at);
    } finally {
      if (!(client instanceof Error)) client.release();
    }
  }
}
