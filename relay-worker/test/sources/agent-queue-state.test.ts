import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayEventSchema, toRelayEvent, type EventType } from '@3cx-relay/events';
import { startHarness, until, type EventRow, type Harness } from './sim-harness.js';
import { createApiKey } from '../support/api-keys.js';
import { collectWs } from '../support/stream-clients.js';

// Agent state read from the simulator's XAPI Users/Queues, queue figures from the live calls.
const AGENT_ENV = { AGENT_STATE_POLL_MS: '500', AGENT_QUEUES_POLL_MS: '1000', QUEUE_STATS_TIME_ZONE: 'UTC' };

let h: Harness;
let pool: pg.Pool;

beforeAll(async () => {
  h = await startHarness('agents');
  await h.startWorker(AGENT_ENV);
  pool = new pg.Pool({ connectionString: h.db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

const agentEvents = (ext: string) =>
  h.events(`type = 'agent.status_changed' AND extensions @> ARRAY[$1]::text[]`, [ext]);
const wire = (r: EventRow) =>
  toRelayEvent({
    id: r.id,
    type: r.type as EventType,
    sequence: r.sequence,
    occurredAt: new Date(r.data.at as string),
    callId: r.call_id,
    callHistoryId: r.call_history_id,
    extensions: r.extensions,
    dids: r.dids,
    queues: r.queues,
    data: r.data,
  });

describe('agent.status_changed', () => {
  it('takes every extension silently at first sight, then reports a profile change with the state before', async () => {
    await until(
      // 100–105 and 046
      async () => (await pool.query('SELECT 1 FROM agent_states')).rowCount === 7,
      20_000,
      '7 agents',
    );
    expect(await h.events(`type = 'agent.status_changed'`)).toEqual([]);
    const row = (await pool.query(`SELECT * FROM agent_states WHERE extension = '101'`)).rows[0];
    expect(row).toMatchObject({
      presence: 'available',
      queue_status: 'logged_in',
      registered: true,
      queues: ['800'],
    });

    h.sim.users.set('101', { profile: 'Away' });
    const e = await until(async () => (await agentEvents('101')).find((x) => x.data.presence === 'away'));
    expect(relayEventSchema.safeParse(wire(e)).error?.issues ?? []).toEqual([]);
    expect(e.data).toMatchObject({
      extension: '101',
      name: 'Ben Carter',
      profileName: 'Away',
      presence: 'away',
      dnd: false,
      queueStatus: 'logged_in',
      changed: ['profile'],
      previous: { profileName: 'Available', presence: 'available' },
    });
    expect(e.queues).toEqual(['800']);
    const history = await pool.query(`SELECT * FROM agent_state_history WHERE event_id = $1`, [e.id]);
    expect(history.rows[0]).toMatchObject({ extension: '101', presence: 'away', changed: ['profile'] });
  });

  it('reports DND, queue logout and unregistering in one event when they change together', async () => {
    h.sim.users.set('102', { profile: 'Out of office', queueStatus: 'LoggedOut', registered: false });
    const e = await until(async () => (await agentEvents('102')).find((x) => x.data.dnd));
    expect(e.data.changed).toEqual(['profile', 'dnd', 'queueStatus', 'registered']);
    expect(e.data).toMatchObject({ presence: 'out_of_office', queueStatus: 'logged_out', registered: false });
    const state = (await pool.query(`SELECT * FROM agent_states WHERE extension = '102'`)).rows[0];
    expect(state).toMatchObject({ dnd: true, queue_status: 'logged_out', registered: false });
  });

  it('a change made while the relay was stopped comes after the restart, from the stored state', async () => {
    await h.stopWorker();
    h.sim.users.set('103', { queueStatus: 'LoggedOut' });
    h.sim.users.setQueueAgents('800', ['101', '102', '103']);
    const before = (await h.events(`type = 'agent.status_changed'`)).length;
    await h.startWorker(AGENT_ENV);
    const e = await until(async () =>
      (await agentEvents('103')).find((x) => (x.data.changed as string[]).includes('queues')),
    );
    expect(e.data.changed).toEqual(['queueStatus', 'queues']);
    expect(e.data.previous).toMatchObject({ queueStatus: 'logged_in', queues: [] });
    expect(e.data.queues).toEqual(['800']);
    // Nothing else changed, so nothing else is reported.
    expect(await h.events(`type = 'agent.status_changed'`)).toHaveLength(before + 1);
  });
});

describe('queue.stats', () => {
  it('follows a queue call: a caller waiting, then answered, at most once a second', async () => {
    h.sim.users.set('101', { profile: 'Available' });
    h.sim.users.set('102', { profile: 'Available', queueStatus: 'LoggedIn', registered: true });
    h.sim.users.setQueueAgents('800', ['101', '102']);
    // Settled: both agents available again and the last figures more than the 1 s window old,
    // so the caller's arrival is sent at once (a state shorter than the window may not be).
    await until(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM queue_states WHERE queue = '800' AND agents_available = 2 AND agents = 2
             AND updated_at < now() - interval '1100 milliseconds'`,
          )
        ).rowCount === 1,
    );
    const from = (await h.events()).at(-1)?.sequence ?? '0';
    const run = h.sim.runScenario('inbound-queue-answered');
    const stats = () => h.events(`type = 'queue.stats' AND sequence > $1`, [from]);
    const waiting = await until(async () => (await stats()).find((e) => e.data.waiting === 1));
    expect(waiting.data.longestWaitingSince).not.toBeNull();
    expect(waiting.queues).toEqual(['800']);
    const summary = await run;
    const done = await until(async () =>
      (await stats()).find((e) => e.data.waiting === 0 && e.data.answeredToday >= 1),
    );
    expect(done.data).toMatchObject({ queue: '800', name: 'Support', agents: 2, longestWaitingSince: null });
    expect(relayEventSchema.safeParse(wire(done)).error?.issues ?? []).toEqual([]);
    expect(summary.outcome).toBe('answered');
    const times = (await stats()).map((e) => Date.parse(e.data.at as string));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    const row = (await pool.query(`SELECT * FROM queue_states WHERE queue = '800'`)).rows[0];
    expect(row).toMatchObject({ waiting: 0, answered_today: done.data.answeredToday });
  });

  it('counts an abandoned caller, and a restarted relay keeps today’s counts from the event log', async () => {
    const from = (await h.events()).at(-1)?.sequence ?? '0';
    await h.sim.runScenario('queue-abandoned');
    const abandoned = await until(async () =>
      (await h.events(`type = 'queue.stats' AND sequence > $1`, [from])).find(
        (e) => e.data.abandonedToday >= 1,
      ),
    );
    await h.startWorker(AGENT_ENV);
    const after = await h.events();
    h.sim.users.set('104', { profile: 'Away' }); // 104 is in no queue: no queue.stats follows
    await until(async () => (await agentEvents('104')).length > 0);
    await pool.query('DELETE FROM queue_states'); // forget the last figures: the next ones are sent again
    await h.startWorker(AGENT_ENV);
    const again = await until(async () =>
      (await h.events(`type = 'queue.stats' AND sequence > $1`, [after.at(-1)!.sequence])).at(0),
    );
    expect(again.data).toMatchObject({
      answeredToday: abandoned.data.answeredToday,
      abandonedToday: abandoned.data.abandonedToday,
    });
  });
});

describe('snapshot', () => {
  it('carries queue figures and agent states only to streams that select their events', async () => {
    const key = await createApiKey(pool, ['events:subscribe']);
    const ws = h.worker!.url.replace(/^http/, 'ws') + '/relay/ws?snapshot=true';
    const opted = await collectWs(`${ws}&types=queue.stats,agent.status_changed&extensions=101`, key.key);
    const plain = await collectWs(ws, key.key);
    const snap = (c: typeof opted) => until(() => c.messages.find((m) => m.kind === 'snapshot'));
    const a = (await snap(opted)) as unknown as {
      queues: { queue: string }[];
      agents: { extension: string }[];
    };
    const b = (await snap(plain)) as unknown as { queues: unknown[]; agents: unknown[] };
    opted.close();
    plain.close();
    expect(a.queues.map((q) => q.queue)).toEqual(['800']);
    expect(a.agents.map((x) => x.extension)).toEqual(['101']);
    expect(b).toMatchObject({ queues: [], agents: [] });
  });
});
