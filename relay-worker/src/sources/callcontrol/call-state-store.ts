import type pg from 'pg';
import type { TrackedCall } from './tracked-call.js';

const NAME = 'callcontrol:calls';

/** Persists the live call state in `source_cursors`, so a restarted worker keeps event ids and notices missed ends. */
export class CallStateStore {
  constructor(private readonly pool: pg.Pool) {}

  async load(): Promise<TrackedCall[]> {
    const res = await this.pool.query<{ value: { calls?: TrackedCall[] } }>(
      'SELECT value FROM source_cursors WHERE name = $1',
      [NAME],
    );
    const calls = res.rows[0]?.value?.calls;
    return Array.isArray(calls) ? calls : [];
  }

  async save(calls: TrackedCall[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO source_cursors (name, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [NAME, JSON.stringify({ calls })],
    );
  }
}
