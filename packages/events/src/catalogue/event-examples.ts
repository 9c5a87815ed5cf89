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
  'agent.status_changed': {
    ...envelope('agent.status_changed', 41_920, '2026-12-04T09:32:05.000Z', { extensions: ['101'] }),
    queues: ['800'],
    type: 'agent.status_changed',
    data: {
      extension: '101',
      name: 'Anna Becker',
      profileName: 'Away',
      presence: 'away',
      dnd: false,
      queueStatus: 'logged_out',
      registered: true,
      queues: ['800'],
      since: '2026-12-04T09:32:05.000Z',
      changed: ['profile', 'queueStatus'],
      previous: {
        name: 'Anna Becker',
        profileName: 'Available',
        presence: 'available',
        dnd: false,
        queueStatus: 'logged_in',
        registered: true,
        queues: ['800'],
        since: '2026-12-04T08:01:40.000Z',
      },
      at: '2026-12-04T09:32:05.000Z',
    },
  },
  'queue.stats': {
    ...envelope('queue.stats', 41_874, '2026-12-04T09:14:56.000Z', { extensions: ['101', '102'] }),
    queues: ['800'],
    type: 'queue.stats',
    data: {
      queue: '800',
      name: 'Sales',
      waiting: 2,
      longestWaitingSince: '2026-12-04T09:14:13.000Z',
      longestWaitSeconds: 43,
      agents: 2,
      agentsLoggedIn: 2,
      agentsAvailable: 0,
      answeredToday: 37,
      abandonedToday: 4,
      day: '2026-12-04',
      at: '2026-12-04T09:14:56.000Z',
    },
  },
  'call.recording_ready': {
    ...envelope('call.recording_ready', 41_897, '2026-12-04T09:18:40.000Z', {
      callId: '1264',
      callHistoryId: chid,
      extensions: ['101'],
    }),
    type: 'call.recording_ready',
    data: {
      recordingId: '5120',
      callId: '1264',
      callHistoryId: chid,
      direction: 'inbound',
      from: caller,
      to: agent,
      did: '32655144',
      queue: '800',
      startedAt: '2026-12-04T09:15:03.480Z',
      endedAt: '2026-12-04T09:18:21.950Z',
      durationSeconds: 198.5,
      audio: {
        url: 'https://pbx.example.com/relay/recordings/5120',
        signedUrl:
          'https://pbx.example.com/relay/recordings/5120?expires=1765014000&sig=Yk3q0bR2d9Vw6mS1xK4pQ7tL8nZ5cA0eF2hJ9uW3oI',
        expiresAt: '2026-12-06T09:40:00.000Z',
        contentType: 'audio/wav',
      },
      transcription: 'Hello, I am calling about my order 4711. It has not arrived yet.',
      summary: 'Customer asks about the delivery of order 4711; agent promises a call back today.',
      sentimentScore: 3,
    },
  },
  'voicemail.received': {
    ...envelope('voicemail.received', 41_930, '2026-12-04T09:40:12.000Z', {
      callHistoryId: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
      extensions: ['102'],
    }),
    dids: ['32655144'],
    type: 'voicemail.received',
    data: {
      voicemailId: '318',
      mailbox: '102',
      mailboxName: 'Clara Diaz',
      caller: { number: '+4930901820', name: 'Acme GmbH', dn: null, kind: 'external' },
      durationSeconds: 21,
      receivedAt: '2026-12-04T09:40:11.000Z',
      transcription: 'Hi Clara, please call me back about the quote. Thanks.',
      callHistoryId: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
      callId: '1283',
      did: '32655144',
      audio: {
        url: 'https://pbx.example.com/relay/voicemails/318',
        signedUrl:
          'https://pbx.example.com/relay/voicemails/318?expires=1765014012&sig=pQ7tL8nZ5cA0eF2hJ9uW3oIYk3q0bR2d9Vw6mS1xK4',
        expiresAt: '2026-12-06T09:40:12.000Z',
        contentType: 'audio/wav',
      },
    },
  },
} satisfies { [T in EventType]: Extract<RelayEvent, { type: T }> };
