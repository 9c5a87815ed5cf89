import pg from 'pg';
import { CDR_COLUMNS } from '../cdr/cdr-row.js';
import type { FinishedCall } from '../cdr/history-store.js';
import { insert, legacyStatements } from './legacy-rows.js';

/**
 * Writes each finished call's cdroutput and legacy rows in one transaction, as 3CX does at
 * call end. While the database is unreachable calls wait in a backlog, flushed in order once
 * it is back (3CX's own buffering behaviour is [UNVERIFIED]).
 */
export class CdrWriter {
  private readonly pool: pg.Pool;
  private readonly backlog: FinishedCall[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    writerUrl: string,
    private readonly queueDn: string,
    private readonly log: (m: string, c?: Record<string, unknown>) => void,
  ) {
    this.pool = new pg.Pool({ connectionString: writerUrl, max: 2, connectionTimeoutMillis: 3000 });
    this.pool.on('error', (err) => log('cdr writer pool error', { err: err.message }));
  }

  /** Queues a call and tries to write everything queued. Resolves true when this call is in the database. */
  async write(call: FinishedCall): Promise<boolean> {
    this.backlog.push(call);
    await this.flush();
    return !this.backlog.includes(call);
  }

  /** Writes the backlog in order; stops at the first failure. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.backlog.length) {
        const next = this.backlog[0];
        if (!next) break;
        try {
          await this.writeOne(next);
          this.backlog.shift();
        } catch (err) {
          this.log('cdr write failed; kept in backlog', {
            callid: next.callid,
            err: (err as Error).message,
            backlog: this.backlog.length,
          });
          break;
        }
      }
    });
    return this.flushing;
  }

  get pending(): number {
    return this.backlog.length;
  }

  private async writeOne(call: FinishedCall): Promise<void> {
    // A makecall dropped before 3CX routed it left no segment: nothing to write ([INFERRED]).
    if (!call.rows.length) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const cols = Object.keys(CDR_COLUMNS) as (keyof typeof CDR_COLUMNS)[];
      const stmt = insert(
        'cdroutput',
        cols,
        call.rows.map((r) => cols.map((c) => r[c])),
      );
      await client.query(stmt.text, stmt.values);
      for (const s of legacyStatements(call, this.queueDn)) await client.query(s.text, s.values);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(true);
    }
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.pool.end();
  }
}
