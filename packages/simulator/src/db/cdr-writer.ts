import pg from 'pg';
import { CDR_COLUMNS } from '../cdr/cdr-row.js';
import type { FinishedCall } from '../cdr/history-store.js';
import { insert, legacyStatements } from './legacy-rows.js';

/** The Data Connector as the `dataConnector` fault switches it on (see {@link CdrWriter}). */
export interface DataConnectorSettings {
  /** Real ms after a call's rows are written until the connector has synced them. */
  afterMs: number;
  /** Delete the synced rows (`PurgeAfterSync`); else they stay, with `offload_id` set. */
  purgeAfterSync: boolean;
}

/**
 * Writes each finished call's cdroutput, legacy and `s_voicemail` rows in one transaction, as
 * 3CX does at call end. While the database is unreachable calls wait in a backlog, flushed in
 * order once it is back (3CX's own buffering behaviour is [UNVERIFIED]). With the Data Connector
 * on, each call's rows get an `offload_id` `afterMs` after they were written and, with
 * `PurgeAfterSync`, are deleted then ([OFFICIAL] `DataConnectorSettings`, field review §1.6).
 */
export class CdrWriter {
  private readonly pool: pg.Pool;
  private readonly backlog: FinishedCall[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly syncs = new Set<NodeJS.Timeout>();
  private offloadSeq = 0;
  /** cdroutput rows the connector deleted so far. */
  purged = 0;

  constructor(
    writerUrl: string,
    private readonly queueDn: string,
    private readonly log: (m: string, c?: Record<string, unknown>) => void,
    private readonly connector: () => DataConnectorSettings | null = () => null,
    /** The database has `s_voicemail` (see `voicemailTable`). */
    private readonly voicemailTable = true,
  ) {
    this.pool = new pg.Pool({ connectionString: writerUrl, max: 2, connectionTimeoutMillis: 3000 });
    this.pool.on('error', (err) => log('cdr writer pool error', { err: err.message }));
    // A client in use when the database stops (the dbDown fault) emits 'error' besides failing
    // its query; pg-pool only listens on idle ones. Without this the process would crash.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
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
          this.scheduleSync(next);
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
      if (call.voicemails.length && this.voicemailTable) {
        const vm = insert(
          's_voicemail',
          [
            'wav_file',
            'caller',
            'caller_name',
            'callee',
            'duration',
            'created_time',
            'transcription',
            'cdr_participant_id',
          ],
          call.voicemails.map((v) => [
            v.wavFile,
            v.caller,
            v.callerName,
            v.callee,
            v.duration,
            v.createdTime,
            v.transcription ?? null,
            v.cdrParticipantId,
          ]),
        );
        await client.query(vm.text, vm.values);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(true);
    }
  }

  /** The Data Connector's sync of one written call (when it is on). */
  private scheduleSync(call: FinishedCall): void {
    const dc = this.connector();
    if (!dc || !call.rows.length) return;
    const ids = call.rows.map((r) => r.cdr_id);
    const timer = setTimeout(() => {
      this.syncs.delete(timer);
      const offloadId = ++this.offloadSeq;
      const sql = dc.purgeAfterSync
        ? 'DELETE FROM public.cdroutput WHERE cdr_id = ANY($1::uuid[])'
        : 'UPDATE public.cdroutput SET offload_id = $2 WHERE cdr_id = ANY($1::uuid[])';
      this.pool
        .query(sql, dc.purgeAfterSync ? [ids] : [ids, offloadId])
        .then((res) => {
          if (dc.purgeAfterSync) this.purged += res.rowCount ?? 0;
        })
        .catch((err: Error) => this.log('data connector sync failed', { err: err.message }));
    }, dc.afterMs);
    this.syncs.add(timer);
  }

  async close(): Promise<void> {
    for (const t of this.syncs) clearTimeout(t);
    this.syncs.clear();
    await this.flushing;
    await this.pool.end();
  }
}
