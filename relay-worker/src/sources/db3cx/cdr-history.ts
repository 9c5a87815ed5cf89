import type pg from 'pg';
import type { CallHistorySegment } from '@3cx-relay/events';
import { AppError } from '../../errors.js';
import { CDR_HISTORY_SELECT, cdrHistorySegment, type CdrHistoryRow } from './cdr-history-segment.js';

/** Query of {@link CdrHistoryReader.read}: the filters of `/relay/call-history`. */
export interface CdrHistoryQuery {
  /** Segments starting at or after this instant. */
  from: Date;
  /** Segments starting before this instant. */
  to: Date;
  /** Only segments where this DN number is source or destination. */
  extension?: string | undefined;
  /** Only segments whose source or destination phone number contains this text (literally). */
  number?: string | undefined;
  limit: number;
  offset: number;
}

/** A page of `cdroutput` segments, newest first, with the count of all matching rows. */
export interface CdrHistoryPage {
  total: number;
  items: CallHistorySegment[];
}

export interface CdrHistoryReaderOptions {
  /** The current read-only pool on 3CX's database (the db3cx source's, or one of its own). */
  pool: () => pg.Pool | undefined;
  /** Plain table name validated by the config (`PBX_CDR_TABLE`, e.g. `cdroutput`). */
  table: string;
}

/** `%`, `_` and the escape character itself match literally (`ESCAPE '!'`). */
export function likeContains(s: string): string {
  return `%${s.replace(/[!%_]/g, '!$&')}%`;
}

/**
 * Call history straight from 3CX's `cdroutput` (one row = one segment), for systems without
 * XAPI (PRO licence). Only ended rows; read-only sessions with the pool's statement timeout.
 */
export class CdrHistoryReader {
  constructor(private readonly o: CdrHistoryReaderOptions) {}

  async read(q: CdrHistoryQuery): Promise<CdrHistoryPage> {
    const pool = this.o.pool();
    if (!pool) throw new AppError('UPSTREAM_ERROR', 'the 3CX database pool is closed');
    const params: unknown[] = [q.from, q.to];
    const where = ['cdr_started_at >= $1', 'cdr_started_at < $2', 'cdr_ended_at IS NOT NULL'];
    if (q.extension) {
      params.push(q.extension);
      where.push(`(source_dn_number = $${params.length} OR destination_dn_number = $${params.length})`);
    }
    if (q.number) {
      params.push(likeContains(q.number));
      const p = `$${params.length}`;
      where.push(
        `(source_participant_phone_number LIKE ${p} ESCAPE '!' OR destination_participant_phone_number LIKE ${p} ESCAPE '!')`,
      );
    }
    const filter = where.join(' AND ');
    const page = await pool.query<CdrHistoryRow & { total: string }>(
      `SELECT ${CDR_HISTORY_SELECT}, count(*) OVER () AS total FROM ${this.o.table}
       WHERE ${filter} ORDER BY cdr_started_at DESC, cdr_id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    );
    let total = Number(page.rows[0]?.total ?? 0);
    // Past the last row the window count is not there: count separately.
    if (!page.rows.length && q.offset > 0) {
      const res = await pool.query<{ total: string }>(
        `SELECT count(*) AS total FROM ${this.o.table} WHERE ${filter}`,
        params,
      );
      total = Number(res.rows[0]?.total ?? 0);
    }
    return { total, items: page.rows.map(cdrHistorySegment) };
  }
}
