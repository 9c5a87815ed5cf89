import { describe, expect, it } from 'vitest';
import {
  EVENT_EXAMPLES,
  EVENT_TYPES,
  EVENT_SCHEMAS,
  EVENT_DATA_SCHEMAS,
  base32,
  eventId,
  isOptInEventType,
  relayEventSchema,
  toRelayEvent,
  typePatternMatches,
  type NewEvent,
} from '../src/index.js';

const party = { number: '+4915112345678', name: null, dn: '10007', kind: 'external' as const };
const ctx = {
  callId: '1264',
  callHistoryId: null,
  direction: 'inbound' as const,
  caller: party,
  callee: { number: '101', name: null, dn: '101', kind: 'extension' as const },
  did: '32655144',
  queue: '800',
};

describe('eventId', () => {
  it('is the same for the same transition and differs for another one', () => {
    const a = eventId('call.ringing', '1264@1700000000000', 'ringing|101/8106');
    expect(eventId('call.ringing', '1264@1700000000000', 'ringing|101/8106')).toBe(a);
    expect(eventId('call.ringing', '1264@1700000000000', 'ringing|102/8107')).not.toBe(a);
    expect(eventId('call.answered', '1264@1700000000000', 'ringing|101/8106')).not.toBe(a);
    expect(a).toMatch(/^evt_[a-z2-7]{32}$/);
  });

  it('encodes base32 per RFC 4648', () => {
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
  });
});

describe('event schemas', () => {
  it('lists the documented types', () => {
    expect(EVENT_TYPES).toEqual([
      'call.ringing',
      'call.answered',
      'call.transferred',
      'call.ended',
      'call.missed',
      'cdr.created',
      'call.completed',
      'relay.test',
      'relay.status_changed',
      'agent.status_changed',
      'queue.stats',
      'call.recording_ready',
      'voicemail.received',
      'subscription.failing',
      'subscription.disabled',
      'subscription.recovered',
    ]);
    expect(Object.keys(EVENT_SCHEMAS)).toEqual([...EVENT_TYPES]);
  });

  it('call.transferred says blind or attended; one stored before the field existed still validates', () => {
    const data = { ...ctx, from: '101', to: '102', transferredAt: '2026-01-10T09:15:20.000Z' };
    expect(EVENT_DATA_SCHEMAS['call.transferred'].parse({ ...data, kind: 'attended' }).kind).toBe('attended');
    expect(EVENT_DATA_SCHEMAS['call.transferred'].parse({ ...data, kind: 'blind' }).kind).toBe('blind');
    expect(EVENT_DATA_SCHEMAS['call.transferred'].safeParse(data).success).toBe(true);
    expect(EVENT_DATA_SCHEMAS['call.transferred'].safeParse({ ...data, kind: 'warm' }).success).toBe(false);
  });

  it('turns a stored call.ended into a wire event that validates', () => {
    const e: NewEvent & { sequence: bigint } = {
      id: eventId('call.ended', '1264@1', 'ended'),
      type: 'call.ended',
      occurredAt: new Date('2026-01-10T09:15:30Z'),
      callId: '1264',
      extensions: ['101'],
      dids: ['32655144'],
      queues: ['800'],
      sequence: 42n,
      data: {
        ...ctx,
        outcome: 'answered',
        startedAt: '2026-01-10T09:14:55.000Z',
        answeredAt: '2026-01-10T09:15:00.000Z',
        endedAt: '2026-01-10T09:15:30.000Z',
        ringDurationSeconds: 5,
        talkDurationSeconds: 30,
        answeredBy: '101',
        participants: ['101', '102'],
        reconciled: false,
      },
    };
    const wire = toRelayEvent(e);
    expect(wire.sequence).toBe('42');
    expect(relayEventSchema.parse(JSON.parse(JSON.stringify(wire)))).toEqual(wire);
  });

  it('rejects an unknown outcome and a missing field', () => {
    const base = {
      id: 'evt_abc',
      schemaVersion: 1,
      sequence: '1',
      occurredAt: '2026-01-10T09:15:30.000Z',
      callId: '1',
      callHistoryId: null,
      extensions: [],
      dids: [],
      queues: [],
    };
    expect(
      EVENT_SCHEMAS['call.ended'].safeParse({
        ...base,
        type: 'call.ended',
        data: { ...ctx, outcome: 'busy' },
      }).success,
    ).toBe(false);
    expect(
      EVENT_SCHEMAS['relay.test'].safeParse({
        ...base,
        type: 'relay.test',
        data: { message: 'hi', subscriptionId: null },
      }).success,
    ).toBe(true);
    expect(EVENT_SCHEMAS['relay.test'].safeParse({ ...base, type: 'relay.test', data: {} }).success).toBe(
      false,
    );
  });
});

describe('relay.status_changed', () => {
  const wire = (data: object) => ({
    id: eventId('relay.status_changed', 'callcontrol', '2026-01-10T09:15:30.000Z|down'),
    type: 'relay.status_changed',
    schemaVersion: 1,
    sequence: '7',
    occurredAt: '2026-01-10T09:15:30.000Z',
    callId: null,
    callHistoryId: null,
    extensions: [],
    dids: [],
    queues: [],
    data,
  });
  const down = {
    component: 'callcontrol',
    from: 'up',
    to: 'down',
    error: 'WebSocket: closed',
    at: '2026-01-10T09:15:30.000Z',
  };

  it('validates a source going down and a first report without a previous state', () => {
    expect(relayEventSchema.safeParse(wire(down)).success).toBe(true);
    expect(relayEventSchema.safeParse(wire({ ...down, from: null })).success).toBe(true);
  });

  it('rejects the database component, the connecting state and a missing error field', () => {
    expect(relayEventSchema.safeParse(wire({ ...down, component: 'database' })).success).toBe(false);
    expect(relayEventSchema.safeParse(wire({ ...down, to: 'connecting' })).success).toBe(false);
    const { error: _omitted, ...noError } = down;
    expect(relayEventSchema.safeParse(wire(noError)).success).toBe(false);
  });

  it('is an opt-in type, unlike call and CDR events', () => {
    expect(isOptInEventType('relay.status_changed')).toBe(true);
    expect(isOptInEventType('subscription.failing')).toBe(true);
    expect(EVENT_TYPES.filter((t) => !isOptInEventType(t))).toEqual([
      'call.ringing',
      'call.answered',
      'call.transferred',
      'call.ended',
      'call.missed',
      'cdr.created',
      'call.completed',
    ]);
  });
});

describe('opt-in types of agent, queue, recording and voicemail state', () => {
  it('are opt-in and selected only by their name or their own family wildcard', () => {
    for (const t of ['agent.status_changed', 'queue.stats', 'call.recording_ready', 'voicemail.received'])
      expect(isOptInEventType(t), t).toBe(true);
    expect(typePatternMatches('*', 'queue.stats')).toBe(false);
    expect(typePatternMatches('queue.*', 'queue.stats')).toBe(true);
    expect(typePatternMatches('agent.*', 'agent.status_changed')).toBe(true);
    expect(typePatternMatches('voicemail.*', 'voicemail.received')).toBe(true);
    // `call.*` keeps its old meaning: the live call events, not the new recording event.
    expect(typePatternMatches('call.*', 'call.recording_ready')).toBe(false);
    expect(typePatternMatches('call.*', 'call.ended')).toBe(true);
    expect(typePatternMatches('call.recording_ready', 'call.recording_ready')).toBe(true);
    expect(typePatternMatches('*', 'call.ended')).toBe(true);
  });

  it.each(['agent.status_changed', 'queue.stats', 'call.recording_ready', 'voicemail.received'] as const)(
    '%s: the catalogue example is a valid event',
    (type) => {
      expect(relayEventSchema.safeParse(EVENT_EXAMPLES[type]).error?.issues ?? []).toEqual([]);
    },
  );

  it('refuses an unknown agent change and queue figures below zero', () => {
    const agent = EVENT_EXAMPLES['agent.status_changed'];
    expect(relayEventSchema.safeParse({ ...agent, data: { ...agent.data, changed: ['mood'] } }).success).toBe(
      false,
    );
    const queue = EVENT_EXAMPLES['queue.stats'];
    expect(relayEventSchema.safeParse({ ...queue, data: { ...queue.data, waiting: -1 } }).success).toBe(
      false,
    );
  });
});
