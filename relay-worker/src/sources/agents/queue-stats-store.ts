import type pg from 'pg';
import type { DayCounts, QueueFigures } from './queue-stats.js';

/**
 * Today's answered and abandoned queue calls from the event log: distinct calls with a
 * `call.answered` by an extension, and `call.ended` with outcome `abandoned`, per queue.
 * `created_at` bounds the scan (indexed); the day is taken in `timeZone`.
 */
export async function loadDayCounts(
  pool: pg.Pool,
  timeZone: string,
  day: string,
): Promise<{ counts: Map<string, DayCounts>; answeredIds: Map<string, Set<string>> }> {
  const res = await pool.query<{ queue: string; answered: string[] | null; abandoned: string }>(
    `SELECT q AS queue,
            array_agg(DISTINCT e.call_id) FILTER (
              WHERE e.type = 'call.answered' AND e.data->>'extensionKind' = 'extension') AS answered,
            count(*) FILTER (WHERE e.type = 'call.ended' AND e.data->>'outcome' = 'abandoned') AS abandoned
       FROM events e, unnest(e.queues) AS q
      WHERE e.type IN ('call.answered', 'call.ended') AND e.call_id IS NOT NULL
        AND e.created_at >= now() - interval '50 hours'
        AND (e.occurred_at AT TIME ZONE $1)::date = $2::date
      GROUP BY q`,
    [timeZone, day],
  );
  const counts = new Map<string, DayCounts>();
  const answeredIds = new Map<string, Set<string>>();
  for (const r of res.rows) {
    const ids = new Set(r.answered ?? []);
    answeredIds.set(r.queue, ids);
    counts.set(r.queue, { answered: ids.size, abandoned: Number(r.abandoned) });
  }
  return { counts, answeredIds };
}

/** The figures last sent per queue (`queue_states`), so a restart does not send them again. */
export async function loadQueueFigures(pool: pg.Pool): Promise<Map<string, QueueFigures>> {
  const res = await pool.query<{
    queue: string;
    name: string | null;
    waiting: number;
    longest_waiting_since: Date | null;
    agents: number;
    agents_logged_in: number;
    agents_available: number;
    answered_today: number;
    abandoned_today: number;
    day: string;
  }>('SELECT * FROM queue_states');
  return new Map(
    res.rows.map((r) => [
      r.queue,
      {
        queue: r.queue,
        name: r.name,
        waiting: r.waiting,
        longestWaitingSince: r.longest_waiting_since?.toISOString() ?? null,
        agents: r.agents,
        agentsLoggedIn: r.agents_logged_in,
        agentsAvailable: r.agents_available,
        answeredToday: r.answered_today,
        abandonedToday: r.abandoned_today,
        day: r.day,
      },
    ]),
  );
}
