import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import {
  SQL_SUBSCRIPTION_MATCHES_EVENT,
  matchesFilter,
  type EventFilter,
  type FilterableEvent,
} from '../../src/delivery/event-filter.js';

// Every filter against every event: the outbox's SQL and the WebSocket hub's JS must agree.
const FILTERS: (Partial<EventFilter> & { name: string })[] = [
  { name: 'none' },
  { name: 'star', eventTypes: ['*'] },
  { name: 'exact-call', eventTypes: ['call.ended'] },
  { name: 'call-wildcard', eventTypes: ['call.*'] },
  { name: 'relay-exact', eventTypes: ['relay.status_changed'] },
  { name: 'relay-wildcard', eventTypes: ['relay.*'] },
  { name: 'star-and-relay', eventTypes: ['*', 'relay.*'] },
  { name: 'relay-and-ext', eventTypes: ['relay.status_changed'], extensions: ['101'] },
  { name: 'ext', extensions: ['101'] },
  { name: 'queue-and-call', eventTypes: ['call.*'], queues: ['800'] },
  { name: 'agent-wildcard', eventTypes: ['agent.*'] },
  { name: 'agent-ext', eventTypes: ['agent.status_changed'], extensions: ['101'] },
  { name: 'queue-stats-800', eventTypes: ['queue.*'], queues: ['800'] },
  { name: 'recording-exact', eventTypes: ['call.recording_ready'] },
  { name: 'voicemail-wildcard', eventTypes: ['voicemail.*'], extensions: ['102'] },
  {
    name: 'everything-named',
    eventTypes: ['*', 'agent.*', 'queue.*', 'voicemail.*', 'call.recording_ready'],
  },
  { name: 'dept', departments: ['Sales'] },
  { name: 'dept-default-or-ch', departments: ['__DEFAULT__', 'Hotline CH'] },
  { name: 'dept-and-completed', eventTypes: ['call.completed'], departments: ['Sales'] },
  { name: 'subscription-wildcard', eventTypes: ['subscription.*'] },
  { name: 'subscription-exact', eventTypes: ['subscription.failing', 'call.*'] },
];
// Events without departments: live events, and events stored before the column existed (NULL).
const EVENTS: FilterableEvent[] = [
  { type: 'call.ended', extensions: ['101'], dids: [], queues: ['800'], departments: [] },
  { type: 'cdr.created', extensions: ['102'], dids: ['32655144'], queues: [], departments: ['Sales'] },
  { type: 'relay.status_changed', extensions: [], dids: [], queues: [] },
  { type: 'agent.status_changed', extensions: ['101'], dids: [], queues: ['800'], departments: [] },
  { type: 'agent.status_changed', extensions: ['103'], dids: [], queues: [], departments: [] },
  { type: 'queue.stats', extensions: ['101', '102'], dids: [], queues: ['800'], departments: [] },
  { type: 'call.recording_ready', extensions: ['101'], dids: ['32655144'], queues: ['800'], departments: [] },
  { type: 'voicemail.received', extensions: ['102'], dids: [], queues: [], departments: [] },
  {
    type: 'call.completed',
    extensions: ['046'],
    dids: [],
    queues: ['093'],
    departments: ['Hotline CH', 'Sales'],
  },
  { type: 'subscription.failing', extensions: [], dids: [], queues: [] },
  { type: 'subscription.disabled', extensions: [], dids: [], queues: [] },
];

let t: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  t = await createTestDatabase('event-filter-sql');
  pool = new pg.Pool({ connectionString: t.url, max: 2 });
});

afterAll(async () => {
  await pool.end();
  await t.drop();
});

it('SQL_SUBSCRIPTION_MATCHES_EVENT agrees with matchesFilter, relay.* and subscription.* only where named, the new opt-in types too, departments match only events that carry them', async () => {
  const sql = await pool.query<{ name: string; type: string; ext: string }>(
    `WITH s AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
                  AS x(name text, event_types text[], extensions text[], dids text[], queues text[], departments text[])),
          e AS (SELECT * FROM jsonb_to_recordset($2::jsonb)
                  AS y(type text, extensions text[], dids text[], queues text[], departments text[]))
     SELECT s.name, e.type, e.extensions[1] AS ext FROM s, e WHERE ${SQL_SUBSCRIPTION_MATCHES_EVENT} `,
    [
      JSON.stringify(
        FILTERS.map((f) => ({
          name: f.name,
          // NULL columns mean "no filter" as well: leave the unset lists out.
          event_types: f.eventTypes ?? null,
          extensions: f.extensions ?? [],
          dids: null,
          queues: f.queues ?? [],
          departments: f.departments ?? null,
        })),
      ),
      JSON.stringify(EVENTS),
    ],
  );
  const js = FILTERS.flatMap((f) =>
    EVENTS.filter((e) =>
      matchesFilter({ eventTypes: [], extensions: [], dids: [], queues: [], ...f }, e),
    ).map((e) => `${f.name} ${e.type} ${e.extensions[0] ?? null}`),
  );
  expect(sql.rows.map((r) => `${r.name} ${r.type} ${r.ext}`).sort()).toEqual(js.sort());
  const dept = sql.rows.filter((r) => r.name.startsWith('dept')).map((r) => `${r.name} ${r.type}`);
  expect(dept.sort()).toEqual([
    'dept call.completed',
    'dept cdr.created',
    'dept-and-completed call.completed',
    'dept-default-or-ch call.completed',
  ]);
  const relay = sql.rows.filter((r) => r.type === 'relay.status_changed').map((r) => r.name);
  expect(relay.sort()).toEqual(['relay-exact', 'relay-wildcard', 'star-and-relay']);
  // The new types reach only filters that name them: never none, `*` or `call.*`.
  const reached = (type: string) =>
    [...new Set(sql.rows.filter((r) => r.type === type).map((r) => r.name))].sort();
  expect(reached('agent.status_changed')).toEqual(['agent-ext', 'agent-wildcard', 'everything-named']);
  expect(reached('queue.stats')).toEqual(['everything-named', 'queue-stats-800']);
  expect(reached('call.recording_ready')).toEqual(['everything-named', 'recording-exact']);
  expect(reached('voicemail.received')).toEqual(['everything-named', 'voicemail-wildcard']);
  expect(reached('subscription.failing')).toEqual(['subscription-exact', 'subscription-wildcard']);
});
