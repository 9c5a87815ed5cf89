import type pg from 'pg';
import type { NewEvent } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { MediaLinks } from '../../api/media/media-links.js';
import type { PbxHttp } from '../xapi/pbx-http.js';
import { matchCall } from './match-call.js';
import { recordingReadyEvent } from './recording-event.js';
import { newestRecordingId, readRecordingsAfter, type XapiRecording } from './xapi-recordings.js';

export interface RecordingSourceOptions {
  http: PbxHttp;
  /** The relay's own database (cursor, call matching). */
  pool: pg.Pool;
  append: (events: NewEvent[]) => Promise<boolean>;
  status: StatusBoard;
  links: MediaLinks;
  /** Poll period, ms (`RECORDING_POLL_MS`). */
  pollMs: number;
  /** A recording waits at most this long for its call's `call.completed` (ms). */
  matchWaitMs: number;
  now?: () => number;
}

const CURSOR = 'xapi:recordings';

/**
 * New recordings from XAPI `Recordings` (`Id gt <cursor>`, one request per poll while there are
 * fewer than 100 new). Each one becomes a `call.recording_ready` once the relay's event log has
 * the call's `call.completed` (so the event carries its `call_history_id`), or after
 * `matchWaitMs` with what is known by then. The cursor (durable, in `source_cursors`) only moves
 * past a recording once its event is appended, so a restart or an own-database outage neither
 * loses nor repeats one (ids are deterministic). A first run starts after the newest recording.
 */
export class RecordingSource {
  private cursor: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly firstSeen = new Map<number, number>();
  private readonly now: () => number;
  /** XAPI requests made (benchmarks). */
  requests = 0;

  constructor(
    private readonly o: RecordingSourceOptions,
    private readonly log: Logger,
  ) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Polls now (tests). */
  async pollOnce(): Promise<void> {
    await this.running;
    await this.poll();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch(async (err: unknown) => {
          const e = coerceError(err);
          this.log.debug({ err: e }, 'reading recordings failed');
          await this.o.status.reportError(
            'xapi',
            'warning',
            'RECORDINGS_READ_FAILED',
            `recordings: ${e.message}`,
          );
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.o.pollMs);
        });
    }, ms);
  }

  private async loadCursor(): Promise<number> {
    const res = await this.o.pool.query<{ value: { after?: number } }>(
      'SELECT value FROM source_cursors WHERE name = $1',
      [CURSOR],
    );
    const stored = res.rows[0]?.value?.after;
    if (typeof stored === 'number') return stored;
    this.requests++;
    const newest = await newestRecordingId(this.o.http);
    await this.saveCursor(newest);
    this.log.info({ after: newest }, 'no recording cursor yet: starting after the newest recording');
    return newest;
  }

  private saveCursor(after: number): Promise<unknown> {
    return this.o.pool.query(
      `INSERT INTO source_cursors (name, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [CURSOR, JSON.stringify({ after })],
    );
  }

  private async poll(): Promise<void> {
    this.cursor ??= await this.loadCursor();
    this.requests++;
    const recordings = await readRecordingsAfter(this.o.http, this.cursor);
    const ready: NewEvent[] = [];
    let next = this.cursor;
    for (const r of recordings) {
      const event = await this.eventIfReady(r);
      if (!event) break; // later ones wait behind it: the cursor never skips a recording
      ready.push(event);
      next = r.Id;
    }
    if (!ready.length) return;
    if (!(await this.o.append(ready))) return; // held: appended later; the cursor stays
    await this.saveCursor(next);
    this.cursor = next;
    for (const r of recordings) if (r.Id <= next) this.firstSeen.delete(r.Id);
  }

  /** The event of a recording whose call is known, or that has waited long enough; else null. */
  private async eventIfReady(r: XapiRecording): Promise<NewEvent | null> {
    const now = this.now();
    const seen = this.firstSeen.get(r.Id) ?? now;
    this.firstSeen.set(r.Id, seen);
    const extensions = [r.FromDnType === 0 ? r.FromDn : null, r.ToDnType === 0 ? r.ToDn : null].filter(
      (x): x is string => !!x,
    );
    const start = r.StartTime ? new Date(r.StartTime) : new Date(now);
    const end = r.EndTime ? new Date(r.EndTime) : start;
    const match = await matchCall(this.o.pool, extensions, start, end);
    if (!match.complete && now - seen < this.o.matchWaitMs) return null;
    const at = new Date(now);
    return recordingReadyEvent(r, match, this.o.links.link('recordings', String(r.Id), at), at);
  }
}
