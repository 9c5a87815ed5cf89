import 'server-only';
import pg from 'pg';
import { config } from '@/config';
import { coerceError } from '@/lib/api/app-error';
import { log } from '@/lib/log';
import { throttle } from './throttle';

/** A notification from the worker on `relay_events`, e.g. `{ kind: 'status', component: 'xapi' }`. */
export interface LiveEvent {
  /**
   * 'status' | 'error' | 'stats' from the worker on `relay_events`; 'calls' when events were
   * appended (`relay_new_events`, at most once per `CALLS_THROTTLE_MS`); 'resync' after the
   * LISTEN connection (re)connects.
   */
  kind: string;
  [key: string]: unknown;
}

type Listener = (e: LiveEvent) => void;

/** The worker's status/error/stats channel (JSON payloads). */
const STATUS_CHANNEL = 'relay_events';
/** The worker's event-log channel; the payload (highest new sequence) is not used. */
const NEW_EVENTS_CHANNEL = 'relay_new_events';
/** At most one 'calls' signal per this many ms: the demo or a busy PBX appends many times a second. */
export const CALLS_THROTTLE_MS = 1000;

/**
 * One LISTEN connection per server process, shared by every browser's SSE stream. It connects
 * on the first subscriber and reconnects (after 1 s, then up to 10 s) when the database drops
 * it; the worker's NOTIFYs in between are lost, which is why clients refetch on every event
 * rather than applying deltas. `relay_new_events` (one NOTIFY per append) becomes a throttled
 * `{ kind: 'calls' }` signal.
 */
class LiveHub {
  private listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  private connecting = false;
  private retryMs = 1000;
  private readonly calls = throttle(() => this.emit({ kind: 'calls' }), CALLS_THROTTLE_MS);

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    void this.connect();
    return () => this.listeners.delete(fn);
  }

  private async connect(): Promise<void> {
    if (this.client || this.connecting) return;
    this.connecting = true;
    const client = new pg.Client({
      connectionString: config().databaseUrl,
      application_name: '3cx-relay-admin-live',
    });
    client.on('notification', (msg) => {
      if (msg.channel === NEW_EVENTS_CHANNEL) this.calls.trigger();
      else this.dispatch(msg.payload);
    });
    client.on('error', (err) => this.dropped(client, err));
    client.on('end', () => this.dropped(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${STATUS_CHANNEL}; LISTEN ${NEW_EVENTS_CHANNEL}`);
      this.client = client;
      this.retryMs = 1000;
      this.emit({ kind: 'resync' });
    } catch (err) {
      this.dropped(client, err);
    } finally {
      this.connecting = false;
    }
  }

  private dropped(client: pg.Client, err: unknown): void {
    if (this.client && this.client !== client) return;
    this.client = null;
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => {});
    log.warn({ err: coerceError(err).message }, 'live LISTEN connection lost; reconnecting');
    const wait = this.retryMs;
    this.retryMs = Math.min(10_000, this.retryMs * 2);
    setTimeout(() => {
      if (this.listeners.size) void this.connect();
    }, wait).unref();
  }

  private dispatch(payload: string | undefined): void {
    let event: LiveEvent;
    try {
      const parsed = JSON.parse(payload ?? '{}') as unknown;
      event =
        parsed && typeof parsed === 'object' && 'kind' in parsed
          ? (parsed as LiveEvent)
          : { kind: 'unknown' };
    } catch {
      event = { kind: 'unknown' };
    }
    this.emit(event);
  }

  private emit(e: LiveEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        log.warn({ err: coerceError(err).message }, 'live listener failed');
      }
    }
  }
}

const holder = globalThis as unknown as { __relayLiveHub?: LiveHub };

/** The process-wide hub. */
export function liveHub(): LiveHub {
  holder.__relayLiveHub ??= new LiveHub();
  return holder.__relayLiveHub;
}
