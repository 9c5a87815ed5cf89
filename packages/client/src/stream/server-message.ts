import { relayEventSchema, snapshotMessageSchema } from '@3cx-relay/events';
import type { RelayEvent, Snapshot } from '../types.js';

/**
 * The relay could not give back everything after the resume point. `beyond_retention`: the
 * events after `since` were pruned (the relay keeps `retentionDays`), so the ones up to
 * `oldestAvailable` are gone. `position_unknown`: the connection dropped before the stream
 * learned any sequence, so events during the outage cannot be asked for. Reconcile through
 * REST (`callHistory`) or your own records.
 */
export interface HistoryLost {
  reason: 'beyond_retention' | 'position_unknown';
  /** The sequence the stream resumed after, null when none was known. */
  since: string | null;
  /** The oldest sequence the relay still holds, when it said so. */
  oldestAvailable: string | null;
  retentionDays: number | null;
}

/** The relay finished replaying after a reconnect; live events follow. */
export interface Resumed {
  since: string;
  /** Events replayed (after the server-side filter). */
  replayed: number;
  /** The last sequence the relay looked at while replaying. */
  lastSequence: string;
}

/** A message of `/relay/ws`, decoded. */
export type ServerMessage =
  | { kind: 'hello'; pingIntervalMs: number | null; lastSequence: string | null }
  | { kind: 'event'; event: RelayEvent }
  | { kind: 'history_lost'; info: HistoryLost }
  | { kind: 'resumed'; info: Resumed }
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'ignored' };

const SEQ = /^\d+$/;
const seq = (v: unknown): string | null => (typeof v === 'string' && SEQ.test(v) ? v : null);

/**
 * Decodes one text message; throws on bad JSON or an invalid event (the caller reports it).
 * Unknown kinds are ignored so a newer relay can add messages.
 */
export function parseServerMessage(text: string, validate: boolean): ServerMessage {
  const msg = JSON.parse(text) as Record<string, unknown>;
  switch (msg.kind) {
    case 'hello':
      return {
        kind: 'hello',
        pingIntervalMs: typeof msg.pingIntervalMs === 'number' ? msg.pingIntervalMs : null,
        lastSequence: seq(msg.lastSequence),
      };
    case 'event': {
      const { kind: _kind, ...rest } = msg;
      if (!validate) {
        if (typeof rest.id !== 'string' || seq(rest.sequence) === null)
          throw new Error('event without id or sequence');
        return { kind: 'event', event: rest as unknown as RelayEvent };
      }
      return { kind: 'event', event: relayEventSchema.parse(rest) };
    }
    case 'snapshot': {
      if (validate) return { kind: 'snapshot', snapshot: snapshotMessageSchema.parse(msg) };
      if (seq(msg.sequence) === null || !Array.isArray(msg.activeCalls))
        throw new Error('snapshot without sequence');
      return { kind: 'snapshot', snapshot: msg as unknown as Snapshot };
    }
    case 'history_lost':
      return {
        kind: 'history_lost',
        info: {
          reason: 'beyond_retention',
          since: seq(msg.since),
          oldestAvailable: seq(msg.oldestAvailable),
          retentionDays: typeof msg.retentionDays === 'number' ? msg.retentionDays : null,
        },
      };
    case 'resumed':
      return {
        kind: 'resumed',
        info: {
          since: String(msg.since),
          replayed: Number(msg.replayed ?? 0),
          lastSequence: seq(msg.lastSequence) ?? String(msg.since),
        },
      };
    default:
      return { kind: 'ignored' };
  }
}
