import type pg from 'pg';

/**
 * Durable position of the CDR poller, kept in `source_cursors`. `endedAt` is the highest
 * `cdr_ended_at` read (UTC ISO text with microseconds, so it compares as a string);
 * `seen` holds the cdr_ids already emitted whose `cdr_ended_at` lies within the overlap
 * window below `endedAt` (ties and late commits are re-read and skipped by id);
 * `pending` maps call_history_ids whose `call.completed` is still due to the time their
 * flow last changed (ms since epoch, PBX database clock).
 */
export interface CdrCursor {
  endedAt: string;
  seen: Array<[cdrId: string, endedAt: string]>;
  pending: Record<string, number>;
}

/** Reads and writes a {@link CdrCursor} in the relay's own database. */
export class CdrCursorStore {
  constructor(
    private readonly pool: pg.Pool,
    readonly name: string,
  ) {}

  async load(): Promise<CdrCursor | undefined> {
    const res = await this.pool.query<{ value: CdrCursor }>(
      'SELECT value FROM source_cursors WHERE name = $1',
      [this.name],
    );
    const v = res.rows[0]?.value;
    if (!v || typeof v.endedAt !== 'string') return undefined;
    return {
      endedAt: v.endedAt,
      seen: Array.isArray(v.seen) ? v.seen : [],
      pending: v.pending && typeof v.pending === 'object' ? v.pending : {},
    };
  }

  async save(cursor: CdrCursor): Promise<void> {
    await this.pool.query(
      `INSERT INTO source_cursors (name, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [this.name, JSON.stringify(cursor)],
    );
  }
}

/** Subtracts `ms` from an ISO timestamp key, keeping the microsecond text form. */
export function keyMinus(key: string, ms: number): string {
  const m = /^(.*)\.(\d{6})Z$/.exec(key);
  if (!m) return new Date(new Date(key).getTime() - ms).toISOString();
  const d = new Date(`${m[1]}Z`);
  const micros = Number(m[2]);
  const total = d.getTime() * 1000 + micros - ms * 1000;
  const base = new Date(Math.floor(total / 1_000_000) * 1000).toISOString().slice(0, 19);
  return `${base}.${String(total % 1_000_000).padStart(6, '0')}Z`;
}
