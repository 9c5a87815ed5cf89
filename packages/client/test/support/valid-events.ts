import { randomUUID } from 'node:crypto';
import { eventId, toRelayEvent, type NewEvent, type RelayEvent } from '@3cx-relay/events';

let n = 0;

/** A `call.ringing` that passes the event package's schema, with a unique id. */
export function ringing(extension = '101'): NewEvent {
  const i = ++n;
  const at = new Date();
  return {
    id: eventId('call.ringing', `client-test-${randomUUID()}`, `ringing|${extension}|${i}`),
    type: 'call.ringing',
    occurredAt: at,
    callId: `c${i}`,
    extensions: [extension],
    dids: [],
    queues: [],
    data: {
      callId: `c${i}`,
      callHistoryId: null,
      direction: 'inbound',
      caller: { number: '+4930123456', name: 'Ünal Çelik', dn: '10007', kind: 'external' },
      callee: { number: extension, name: null, dn: extension, kind: 'extension' },
      did: null,
      queue: null,
      extension,
      extensionKind: 'extension',
      ringingAt: at.toISOString(),
    },
  };
}

/** The wire form of {@link ringing} with a given sequence. */
export function ringingWire(sequence: number, extension?: string): RelayEvent {
  return toRelayEvent({ ...ringing(extension), sequence });
}

/** The Standard Webhooks body the relay sends for an event: `{type, timestamp, data}`. */
export function webhookBody(e: NewEvent): string {
  return JSON.stringify({ type: e.type, timestamp: e.occurredAt.toISOString(), data: e.data });
}
