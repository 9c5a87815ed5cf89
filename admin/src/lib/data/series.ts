import type { Db } from '@3cx-relay/db';

/** One point of an hourly chart: `label` is the UTC hour, other keys are series. */
export type SeriesPoint = { label: string } & Record<string, number | null>;

const HOURS = 24;

function hourBuckets(now = Date.now()): Date[] {
  const first = firstChartHour(now).getTime();
  return Array.from({ length: HOURS }, (_, i) => new Date(first + i * 3600_000));
}

/** Start of the oldest hour an hourly chart shows: this hour and the 23 before it. */
export function firstChartHour(now = Date.now()): Date {
  return new Date(Math.floor(now / 3600_000) * 3600_000 - (HOURS - 1) * 3600_000);
}

function merge(rows: Record<string, Map<number, number | null>>, now = Date.now()): SeriesPoint[] {
  return hourBuckets(now).map((h) => {
    const p: SeriesPoint = { label: `${String(h.getUTCHours()).padStart(2, '0')}:00` } as SeriesPoint;
    for (const [name, m] of Object.entries(rows))
      p[name] = m.get(h.getTime()) ?? (name.startsWith('latency') ? null : 0);
    return p;
  });
}

type Row = { h: Date; v: number | null };
const toMap = (rows: Row[]) => new Map(rows.map((r) => [r.h.getTime(), r.v === null ? null : Number(r.v)]));

/** Deliveries ok/failed, API requests, errors and WS clients per hour, last 24 h. */
export async function activitySeries(db: Db, now = Date.now()): Promise<SeriesPoint[]> {
  const since = new Date(now - HOURS * 3600_000);
  const first = firstChartHour(now);
  const [ok, failed, api, errors, ws] = await Promise.all([
    // the worker's hourly counters (delivery_stats), not a count of attempt rows
    db.$queryRaw<
      Row[]
    >`SELECT bucket h, sum(succeeded)::float v FROM delivery_stats WHERE bucket >= ${first} GROUP BY 1`,
    db.$queryRaw<
      Row[]
    >`SELECT bucket h, sum(attempts - succeeded)::float v FROM delivery_stats WHERE bucket >= ${first} GROUP BY 1`,
    db.$queryRaw<
      Row[]
    >`SELECT date_trunc('hour', bucket) h, sum(count)::float v FROM api_usage WHERE bucket >= ${since} GROUP BY 1`,
    db.$queryRaw<
      Row[]
    >`SELECT date_trunc('hour', occurred_at) h, count(*)::float v FROM error_log WHERE occurred_at >= ${since} GROUP BY 1`,
    db.$queryRaw<
      Row[]
    >`SELECT date_trunc('hour', bucket) h, max(value)::float v FROM stat_samples WHERE bucket >= ${since} AND metric = 'ws_clients' GROUP BY 1`,
  ]);
  return merge(
    {
      deliveriesOk: toMap(ok),
      deliveriesFailed: toMap(failed),
      apiRequests: toMap(api),
      errors: toMap(errors),
      wsClients: toMap(ws),
    },
    now,
  );
}

/**
 * Call events per hour, last 24 h: `liveEvents` (Call Control: ringing, answered, transferred,
 * ended, missed) and `cdrEvents` (cdr.created, call.completed).
 */
export async function callEventSeries(db: Db): Promise<SeriesPoint[]> {
  const since = new Date(Date.now() - HOURS * 3600_000);
  const rows = await db.$queryRaw<{ h: Date; live: number; cdr: number }[]>`
    SELECT date_trunc('hour', created_at) h,
      count(*) FILTER (WHERE type IN ('call.ringing','call.answered','call.transferred','call.ended','call.missed'))::float live,
      count(*) FILTER (WHERE type IN ('cdr.created','call.completed'))::float cdr
    FROM events WHERE created_at >= ${since} GROUP BY 1`;
  const pick = (k: 'live' | 'cdr') => toMap(rows.map((r) => ({ h: r.h, v: r[k] })));
  return merge({ liveEvents: pick('live'), cdrEvents: pick('cdr') });
}

/** Average latency per component per hour, last 24 h (keys `latency_<component>`). */
export async function latencySeries(db: Db, components: readonly string[]): Promise<SeriesPoint[]> {
  const since = new Date(Date.now() - HOURS * 3600_000);
  const rows = await db.$queryRaw<(Row & { c: string })[]>`
    SELECT component c, date_trunc('hour', recorded_at) h, avg(latency_ms)::float v
    FROM connection_status_history WHERE recorded_at >= ${since} GROUP BY 1, 2`;
  const byComponent: Record<string, Map<number, number | null>> = {};
  for (const c of components) byComponent[`latency_${c}`] = toMap(rows.filter((r) => r.c === c));
  return merge(byComponent);
}

/** Requests per hour for one API key, last 24 h, split into ok (2xx/3xx) and errors. */
export async function keyUsageSeries(db: Db, apiKeyId: string): Promise<SeriesPoint[]> {
  const since = new Date(Date.now() - HOURS * 3600_000);
  const [ok, err] = await Promise.all([
    db.$queryRaw<
      Row[]
    >`SELECT date_trunc('hour', bucket) h, sum(count)::float v FROM api_usage WHERE api_key_id = ${apiKeyId}::uuid AND bucket >= ${since} AND status_class IN ('2xx','3xx') GROUP BY 1`,
    db.$queryRaw<
      Row[]
    >`SELECT date_trunc('hour', bucket) h, sum(count)::float v FROM api_usage WHERE api_key_id = ${apiKeyId}::uuid AND bucket >= ${since} AND status_class IN ('4xx','5xx') GROUP BY 1`,
  ]);
  return merge({ ok: toMap(ok), errors: toMap(err) });
}

/** Requests per route and status class for one API key, last 7 days, with the mean latency. */
export async function keyRouteUsage(db: Db, apiKeyId: string) {
  const since = new Date(Date.now() - 7 * 86400_000);
  const rows = await db.apiUsage.groupBy({
    by: ['route', 'statusClass'],
    where: { apiKeyId, bucket: { gte: since } },
    _sum: { count: true, totalLatencyMs: true },
  });
  return rows.map((r) => ({
    route: r.route,
    statusClass: r.statusClass,
    count: r._sum.count ?? 0,
    avgLatencyMs: r._sum.count ? (r._sum.totalLatencyMs ?? 0) / r._sum.count : null,
  }));
}
