import type pg from 'pg';
import type { NewEvent } from '@3cx-relay/events';
import type { Logger } from '../../logger.js';
import { coerceError } from '../../errors.js';
import type { StoredEvent } from '../../events/event-store.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { MediaLinks } from '../../api/media/media-links.js';
import { voicemailCall, voicemailReceivedEvent } from './voicemail-event.js';
import {
  newestVoicemailId,
  readVoicemailsAfter,
  VOICEMAIL_BATCH,
  type VoicemailRow,
} from './voicemail-rows.js';

export interface VoicemailSourceOptions {
  /** The read-only pool on 3CX's database (the db3cx source's current one). */
  pbxPool: () => pg.Pool | undefined;
  /** The relay's own database (cursor, call lookup). */
  pool: pg.Pool;
  /** New events of the relay: a CDR row into a mailbox triggers a read. */
  events: {
    on(e: 'appended', fn: (events: StoredEvent[]) => void): unknown;
    off(e: 'appended', fn: (events: StoredEvent[]) => void): unknown;
  };
  append: (events: NewEvent[]) => Promise<boolean>;
  status: StatusBoard;
  links: MediaLinks;
  /** Also read every this many ms (0: only on a mailbox CDR row and at start). */
  pollMs: number;
  /** A message waits at most this long for its call's CDR row in the relay's log (ms). */
  matchWaitMs: number;
  now?: () => number;
}

const CURSOR = 'db3cx:s_voicemail';
/** Re-reads after a mailbox CDR row while no new message shows (3CX may write it a little later). */
const RETRIES_MS = [500, 2000, 8000];

/**
 * `voicemail.received` from 3CX's `s_voicemail` (read-only; 3CX has no trigger on it, so this
 * polls `id > cursor`, one primary-key query). It reads when the CDR source reports a row into
 * a mailbox (`cdr.created` with destination entity `voicemail`), at start and, optionally,
 * every `pollMs`: in steady state it costs the PBX no query at all. Each message waits up to
 * `matchWaitMs` for its CDR row in the relay's log, so the event names the call it came from.
 * The cursor (durable) moves past a message only once its event is appended; a removed message
 * moves it without an event. A first run starts after the newest message.
 */
export class VoicemailSource {
  private cursor: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private missing = false;
  private timers = new Set<NodeJS.Timeout>();
  private interval: NodeJS.Timeout | undefined;
  private readonly firstSeen = new Map<number, number>();
  private readonly now: () => number;
  private readonly onAppended = (events: StoredEvent[]) => {
    if (
      events.some(
        (e) =>
          e.type === 'cdr.created' &&
          (e.data as { destination?: { entityType?: string } }).destination?.entityType === 'voicemail',
      )
    )
      for (const ms of RETRIES_MS) this.later(ms);
  };
  /** Queries on 3CX's database (benchmarks). */
  queries = 0;

  constructor(
    private readonly o: VoicemailSourceOptions,
    private readonly log: Logger,
  ) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.o.events.on('appended', this.onAppended);
    if (this.o.pollMs > 0) this.interval = setInterval(() => void this.read(), this.o.pollMs);
    void this.read();
  }

  async stop(): Promise<void> {
    this.o.events.off('appended', this.onAppended);
    clearInterval(this.interval);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.chain;
  }

  /** Reads new messages now (one read at a time; several requests in one turn make one read). */
  read(): Promise<void> {
    if (this.queued || this.missing) return this.chain;
    this.queued = true;
    this.chain = this.chain.then(async () => {
      this.queued = false;
      try {
        await this.readOnce();
      } catch (err) {
        const e = coerceError(err);
        if ((err as { code?: string }).code === '42P01') {
          // No s_voicemail on this PBX (older than 20.0.9): say so once and stop asking.
          this.missing = true;
          this.log.info('3CX has no s_voicemail table: no voicemail.received');
          await this.o.status.reportError(
            'db3cx',
            'info',
            'VOICEMAIL_TABLE_MISSING',
            `s_voicemail: ${e.message}`,
          );
          return;
        }
        this.log.debug({ err: e }, 'reading s_voicemail failed');
        await this.o.status.reportError(
          'db3cx',
          'warning',
          'VOICEMAIL_READ_FAILED',
          `s_voicemail: ${e.message}`,
        );
      }
    });
    return this.chain;
  }

  private later(ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.read();
    }, ms);
    this.timers.add(t);
  }

  private async readOnce(): Promise<void> {
    const pbx = this.o.pbxPool();
    if (!pbx) return;
    this.cursor ??= await this.loadCursor(pbx);
    this.queries++;
    const rows = await readVoicemailsAfter(pbx, this.cursor);
    const ready: NewEvent[] = [];
    let next = this.cursor;
    let waiting = false;
    for (const r of rows) {
      const event = (r.removed ?? '') !== '' ? null : await this.eventIfReady(r);
      if (event === undefined) {
        waiting = true;
        break; // later ones wait behind it: the cursor never skips a message
      }
      if (event) ready.push(event);
      next = r.id;
    }
    if (ready.length && !(await this.o.append(ready))) return; // held: the cursor stays
    if (next !== this.cursor) {
      await this.saveCursor(next);
      this.cursor = next;
    }
    if (waiting) this.later(1000);
    else if (rows.length >= VOICEMAIL_BATCH) this.later(0);
  }

  /** The message's event; undefined while its call is not in the log yet and it may still wait. */
  private async eventIfReady(r: VoicemailRow): Promise<NewEvent | undefined> {
    const now = this.now();
    const seen = this.firstSeen.get(r.id) ?? now;
    this.firstSeen.set(r.id, seen);
    const call = await voicemailCall(this.o.pool, r.cdr_participant_id);
    if (!call.found && r.cdr_participant_id && now - seen < this.o.matchWaitMs) return undefined;
    this.firstSeen.delete(r.id);
    const at = new Date(now);
    return voicemailReceivedEvent(r, call, this.o.links.link('voicemails', String(r.id), at), at);
  }

  private async loadCursor(pbx: pg.Pool): Promise<number> {
    const res = await this.o.pool.query<{ value: { after?: number } }>(
      'SELECT value FROM source_cursors WHERE name = $1',
      [CURSOR],
    );
    const stored = res.rows[0]?.value?.after;
    if (typeof stored === 'number') return stored;
    this.queries++;
    const newest = await newestVoicemailId(pbx);
    await this.saveCursor(newest);
    this.log.info({ after: newest }, 'no voicemail cursor yet: starting after the newest message');
    return newest;
  }

  private saveCursor(after: number): Promise<unknown> {
    return this.o.pool.query(
      `INSERT INTO source_cursors (name, value, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [CURSOR, JSON.stringify({ after })],
    );
  }
}
