import { sql } from './db.js';

/** Puts the three components in a known state and adds some history, as the worker would. */
export async function seedStatus(
  states: Record<'db3cx' | 'xapi' | 'callcontrol', 'up' | 'degraded' | 'down'> = {
    db3cx: 'up',
    xapi: 'up',
    callcontrol: 'up',
  },
): Promise<void> {
  for (const [component, status] of Object.entries(states)) {
    await sql(
      `INSERT INTO component_status (component, status, latency_ms, last_error, since, updated_at)
       VALUES ($1, $2, $3, $4, now(), now())
       ON CONFLICT (component) DO UPDATE SET status = EXCLUDED.status, latency_ms = EXCLUDED.latency_ms, last_error = EXCLUDED.last_error, updated_at = now()`,
      [
        component,
        status,
        status === 'down' ? null : 12 + component.length,
        status === 'down' ? 'connect ECONNREFUSED 127.0.0.1:5432' : null,
      ],
    );
  }
}

/** Hourly latency history and activity over the last 24 h, for charts. */
export async function seedHistory(): Promise<void> {
  await sql(`
    INSERT INTO connection_status_history (component, status, latency_ms, recorded_at)
    SELECT c, 'up', 10 + (random() * 40), now() - (h || ' hours')::interval
    FROM unnest(ARRAY['db3cx','xapi','callcontrol']) c, generate_series(0, 23) h`);
  await sql(`
    INSERT INTO stat_samples (metric, bucket, value)
    SELECT 'ws_clients', date_trunc('hour', now()) - (h || ' hours')::interval, 3 + h % 5 FROM generate_series(0, 23) h
    ON CONFLICT DO NOTHING`);
}

/** Inserts an error_log row and returns its id. */
export async function insertError(message: string, severity = 'error', component = 'db3cx'): Promise<string> {
  const [row] = await sql<{ id: string }>(
    `INSERT INTO error_log (severity, component, code, message) VALUES ($1, $2, 'TEST', $3) RETURNING id::text`,
    [severity, component, message],
  );
  return row!.id;
}
