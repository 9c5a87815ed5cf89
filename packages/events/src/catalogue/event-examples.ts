import type { Party } from '../common.js';
import { eventId } from '../event-id.js';
import type { EventType, RelayEvent } from '../model.js';

/*
 * One realistic example per event type: an inbound call to DID 32655144 through queue 800,
 * answered by extension 101 after 102 also rang, as the relay reports it. The catalogue
 * publishes them, `POST /relay/webhooks/{id}/test?type=` sends them, and a test checks each
 * against the type's zod schema and JSON Schema.
 */

const caller: Party = { number: '+4930901820', name: 'Acme GmbH', dn: '10007', kind: 'external' };
const queue: Party = { number: '800', name: 'Sales', dn: '800', kind: 'queue' };
const agent: Party = { number: '101', name: 'Anna Becker', dn: '101', kind: 'extension' };
const context = {
  callId: '1264',
  callHistoryId: null,
  direction: 'inbound' as const,
  caller,
  callee: queue,
  did: '32655144',
  queue: '800',
};
const chid = '0b6f3b4e-5a1c-4d2e-9f3a-7c8d9e0f1a2b';
const envelope = (
  type: EventType,
  sequence: number,
  occurredAt: string,
  ids: { callId?: string | null; callHistoryId?: string | null; extensions?: string[] },
) => ({
  id: eventId(type, 'catalogue-example', String(sequence)),
  type,
  schemaVersion: 1 as const,
  sequence: String(sequence),
  occurredAt,
  callId: ids.callId ?? null,
  callHistoryId: ids.callHistoryId ?? null,
  extensions: ids.extensions ?? [],
  dids: ids.callId ? ['32655144'] : [],
  queues: ids.callId ? ['800'] : [],
  departments: ids.callHistoryId ? ['Support'] : [],
});

const cdrParty = (p: { dn: string | null; number: string | null; name: string | null; type: string }) => ({
  participantId: null,
  entityType: p.type === 'Wexternalline' ? 'external_line' : 'extension',
  dnNumber: p.dn,
  dnType: p.type,
  dnName: p.name,
  participantName: p.name,
  phoneNumber: p.number,
  trunkDid: p.type === 'Wexternalline' ? '32655144' : null,
  isIncoming: p.type === 'Wexternalline',
  isAlreadyConnected: false,
  groupName: null,
  billingSuffix: null,
});

/** Every type's example, as it goes on the wire (WebSocket, SSE); webhooks carry `{type, timestamp: occurredAt, data}`. */
export const EVENT_EXAMPLES = {
  'call.ringing': {
    ...envelope('call.ringing', 41_873, '2026-12-04T09:14:55.120Z', { callId: '1264', extensions: ['101'] }),
    type: 'call.ringing',
    data: { ...context, extension: '101', extensionKind: 'extension', ringingAt: '2026-12-04T09:14:55.120Z' },
  },
  'call.answered': {
    ...envelope('call.answered', 41_876, '2026-12-04T09:15:03.480Z', { callId: '1264', extensions: ['101'] }),
    type: 'call.answered',
    data: {
      ...context,
      callee: agent,
      extension: '101',
      extensionKind: 'extension',
      answeredAt: '2026-12-04T09:15:03.480Z',
      ringDurationSeconds: 14.2,
    },
  },
  'call.transferred': {
    ...envelope('call.transferred', 41_880, '2026-12-04T09:16:40.002Z', {
      callId: '1264',
      extensions: ['101', '103'],
    }),
    type: 'call.transferred',
    data: {
      ...context,
      callee: agent,
      from: '101',
      to: '103',
      kind: 'blind',
      transferredAt: '2026-12-04T09:16:40.002Z',
    },
  },
  'call.ended': {
    ...envelope('call.ended', 41_884, '2026-12-04T09:18:21.950Z', {
      callId: '1264',
      extensions: ['101', '102'],
    }),
    type: 'call.ended',
    data: {
      ...context,
      callee: agent,
      outcome: 'answered',
      disposition: 'answered',
      startedAt: '2026-12-04T09:14:49.300Z',
      answeredAt: '2026-12-04T09:15:03.480Z',
      endedAt: '2026-12-04T09:18:21.950Z',
      ringDurationSeconds: 14.2,
      talkDurationSeconds: 198.5,
      answeredBy: '101',
      participants: ['800', '101', '102'],
      reconciled: false,
    },
  },
  'call.missed': {
    ...envelope('call.missed', 41_902, '2026-12-04T09:21:07.310Z', {
      callId: '1271',
      extensions: ['101', '102'],
    }),
    type: 'call.missed',
    callId: '1271',
    data: {
      ...context,
      callId: '1271',
      outcome: 'abandoned',
      disposition: 'abandoned',
      ringingExtensions: ['101', '102'],
      startedAt: '2026-12-04T09:20:31.000Z',
      endedAt: '2026-12-04T09:21:07.310Z',
      ringDurationSeconds: 36.3,
    },
  },
  'cdr.created': {
    ...envelope('cdr.created', 41_890, '2026-12-04T09:18:23.004Z', {
      callHistoryId: chid,
      extensions: ['101'],
    }),
    type: 'cdr.created',
    data: {
      cdrId: '5c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e',
      callHistoryId: chid,
      mainCallHistoryId: null,
      source: cdrParty({ dn: '10007', number: '+4930901820', name: 'Acme GmbH', type: 'Wexternalline' }),
      destination: cdrParty({ dn: '101', number: '101', name: 'Anna Becker', type: 'Wextension' }),
      baseCdrId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      originatingCdrId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      continuedInCdrId: null,
      creationMethod: 'route_to',
      creationForwardReason: null,
      terminationReason: 'dst_participant_terminated',
      terminationReasonDetails: null,
      terminatedByParticipantId: null,
      sourcePresentation: '+4930901820',
      startedAt: '2026-12-04T09:14:55.120Z',
      answeredAt: '2026-12-04T09:15:03.480Z',
      endedAt: '2026-12-04T09:18:21.950Z',
    },
  },
  'call.completed': {
    ...envelope('call.completed', 41_893, '2026-12-04T09:18:26.100Z', {
      callHistoryId: chid,
      extensions: ['101', '102'],
    }),
    type: 'call.completed',
    data: {
      callHistoryId: chid,
      mainCallHistoryId: null,
      callId: '1264',
      direction: 'inbound',
      caller,
      callee: agent,
      did: '32655144',
      didRaw: '32655144',
      queue: '800',
      outcome: 'answered',
      disposition: 'answered',
      startedAt: '2026-12-04T09:14:49.300Z',
      answeredAt: '2026-12-04T09:15:03.480Z',
      endedAt: '2026-12-04T09:18:21.950Z',
      ringDurationSeconds: 14.2,
      talkDurationSeconds: 198.5,
      answeredBy: '101',
      handledBy: '102',
      queueVisits: 1,
      transfers: [{ kind: 'blind', from: '101', to: '102', at: '2026-12-04T09:16:40.000Z' }],
      callback: null,
      department: 'Support',
      partial: false,
      extensions: ['101', '102'],
      cdrIds: ['1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '5c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e'],
    },
  },
  'relay.test': {
    ...envelope('relay.test', 41_910, '2026-12-04T09:30:00.000Z', {}),
    type: 'relay.test',
    data: { message: 'Test event from 3CX Relay', subscriptionId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09' },
  },
  'relay.status_changed': {
    ...envelope('relay.status_changed', 41_915, '2026-12-04T09:31:12.500Z', {}),
    type: 'relay.status_changed',
    data: {
      component: 'callcontrol',
      from: 'up',
      to: 'down',
      error: 'Call Control WebSocket closed (1006)',
      at: '2026-12-04T09:31:12.500Z',
    },
  },
  'subscription.failing': {
    ...envelope('subscription.failing', 41_920, '2026-12-04T09:40:00.000Z', {}),
    type: 'subscription.failing',
    data: {
      subscriptionId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09',
      name: 'CRM screen-pop',
      origin: 'https://crm.example.com',
      failingSince: '2026-12-04T09:35:00.000Z',
      consecutiveFailures: 12,
      lastStatusCode: 503,
      lastError: null,
      disableAt: '2026-12-09T09:35:00.000Z',
      at: '2026-12-04T09:40:00.000Z',
    },
  },
  'subscription.disabled': {
    ...envelope('subscription.disabled', 41_925, '2026-12-09T09:35:02.000Z', {}),
    type: 'subscription.disabled',
    data: {
      subscriptionId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09',
      name: 'CRM screen-pop',
      origin: 'https://crm.example.com',
      reason: 'only failures since 2026-12-04T09:35:00.000Z',
      failingSince: '2026-12-04T09:35:00.000Z',
      at: '2026-12-09T09:35:02.000Z',
    },
  },
  'subscription.recovered': {
    ...envelope('subscription.recovered', 41_930, '2026-12-04T09:52:10.000Z', {}),
    type: 'subscription.recovered',
    data: {
      subscriptionId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09',
      name: 'CRM screen-pop',
      origin: 'https://crm.example.com',
      failingSince: '2026-12-04T09:35:00.000Z',
      at: '2026-12-04T09:52:10.000Z',
    },
  },
} satisfies { [T in EventType]: Extract<RelayEvent, { type: T }> };
