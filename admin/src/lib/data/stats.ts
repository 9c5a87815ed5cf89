import type { Db } from '@3cx-relay/db';
import { firstChartHour } from './series';

/** The dashboard's headline figures (last 24 h unless named otherwise; deliveries: the chart's 24 hourly buckets). */
export interface DashboardStats {
  /** WebSocket clients connected to the worker(s) now, from their heartbeats. */
  wsClients: number | null;
  apiRequests: number;
  deliveriesOk: number;
  deliveriesFailed: number;
  errors: number;
  /** Errors logged per hour over the last 24 h. */
  errorRatePerHour: number;
  /** Seconds since the oldest live worker started; null when no worker is alive. */
  uptimeSeconds: number | null;
  unacknowledgedErrors: number;
}

/** Heartbeats older than this mean the worker is gone. */
const HEARTBEAT_STALE_MS = 60_000;

/** Reads the headline figures from the worker's tables. */
export async function getStats(db: Db, now = Date.now()): Promise<DashboardStats> {
  const since = new Date(now - 24 * 3600_000);
  const [api, attempts, errors, unacked, beats] = await Promise.all([
    db.apiUsage.aggregate({ where: { bucket: { gte: since } }, _sum: { count: true } }),
    // The hourly counters the worker keeps with every attempt record, not a count of attempt
    // rows: at 100 deliveries/s a day is 8.6 million rows to count on every dashboard load.
    // The 24 hourly buckets of the activity chart (this hour and the 23 before it).
    db.deliveryStat.aggregate({
      where: { bucket: { gte: firstChartHour(now) } },
      _sum: { attempts: true, succeeded: true },
    }),
    db.errorLog.count({ where: { occurredAt: { gte: since } } }),
    db.errorLog.count({ where: { acknowledgedAt: null } }),
    db.workerHeartbeat.findMany({
      where: { lastSeenAt: { gte: new Date(Date.now() - HEARTBEAT_STALE_MS) } },
    }),
  ]);
  const wsClients = beats.length
    ? beats.reduce((n, b) => n + Number((b.stats as { wsClients?: unknown } | null)?.wsClients ?? 0), 0)
    : null;
  const oldest = beats.reduce<Date | null>((m, b) => (!m || b.startedAt < m ? b.startedAt : m), null);
  return {
    wsClients,
    apiRequests: api._sum.count ?? 0,
    deliveriesOk: attempts._sum.succeeded ?? 0,
    deliveriesFailed: (attempts._sum.attempts ?? 0) - (attempts._sum.succeeded ?? 0),
    errors,
    errorRatePerHour: Math.round((errors / 24) * 100) / 100,
    uptimeSeconds: oldest ? Math.floor((now - oldest.getTime()) / 1000) : null,
    unacknowledgedErrors: unacked,
  };
}

/** "3d 4h", "5h 12m", "42s". */
export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m`;
  return `${seconds}s`;
}
