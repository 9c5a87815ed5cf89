import type pg from 'pg';
import type { AgentState, EventData } from '@3cx-relay/events';
import type { AppendHook, StoredEvent } from '../../events/event-store.js';

interface AgentRow {
  extension: string;
  name: string | null;
  profile_name: string | null;
  presence: AgentState['presence'];
  dnd: boolean;
  queue_status: AgentState['queueStatus'];
  registered: boolean;
  queues: string[] | null;
  since: Date;
}

const AGENT_COLUMNS = 'extension, name, profile_name, presence, dnd, queue_status, registered, queues, since';

/** The agent states the worker last stored (`agent_states`), by extension. */
export async function loadAgentStates(pool: pg.Pool): Promise<Map<string, AgentState>> {
  const res = await pool.query<AgentRow>(`SELECT ${AGENT_COLUMNS} FROM agent_states`);
  return new Map(
    res.rows.map((r) => [
      r.extension,
      {
        extension: r.extension,
        name: r.name,
        profileName: r.profile_name,
        presence: r.presence,
        dnd: r.dnd,
        queueStatus: r.queue_status,
        registered: r.registered,
        queues: r.queues ?? [],
        since: r.since.toISOString(),
      },
    ]),
  );
}

const agentValues = (s: AgentState) => [
  s.extension,
  s.name,
  s.profileName,
  s.presence,
  s.dnd,
  s.queueStatus,
  s.registered,
  s.queues,
  s.since,
];

const UPSERT_AGENT = `INSERT INTO agent_states (${AGENT_COLUMNS}, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, now())
  ON CONFLICT (extension) DO UPDATE SET name = EXCLUDED.name, profile_name = EXCLUDED.profile_name,
    presence = EXCLUDED.presence, dnd = EXCLUDED.dnd, queue_status = EXCLUDED.queue_status,
    registered = EXCLUDED.registered, queues = EXCLUDED.queues, since = EXCLUDED.since, updated_at = now()`;

/** Stores states seen for the first time (no event: there is nothing to compare them with). */
export async function saveAgentStates(pool: pg.Pool, states: AgentState[]): Promise<void> {
  for (const s of states) await pool.query(UPSERT_AGENT, agentValues(s));
}

/** Forgets extensions 3CX no longer lists. */
export async function deleteAgentStates(pool: pg.Pool, extensions: string[]): Promise<void> {
  if (extensions.length) await pool.query('DELETE FROM agent_states WHERE extension = ANY($1)', [extensions]);
}

/**
 * Runs in the event store's append transaction: each new `agent.status_changed` updates
 * `agent_states` and adds its `agent_state_history` row, each new `queue.stats` updates
 * `queue_states`. Event, state and history commit together; a retried append changes nothing.
 */
export function createAgentQueueHook(): AppendHook {
  const hook = async (client: pg.PoolClient, inserted: StoredEvent[]): Promise<void> => {
    for (const e of inserted) {
      if (e.type === 'agent.status_changed') {
        const d = e.data as EventData<'agent.status_changed'>;
        await client.query(UPSERT_AGENT, agentValues(d));
        await client.query(
          `INSERT INTO agent_state_history (event_id, extension, occurred_at, name, profile_name, presence, dnd,
             queue_status, registered, queues, changed, previous)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12::jsonb)
           ON CONFLICT (event_id) DO NOTHING`,
          [
            e.id,
            d.extension,
            e.occurredAt,
            d.name,
            d.profileName,
            d.presence,
            d.dnd,
            d.queueStatus,
            d.registered,
            d.queues,
            d.changed,
            d.previous ? JSON.stringify(d.previous) : null,
          ],
        );
      } else if (e.type === 'queue.stats') {
        await upsertQueueState(client, e.data as EventData<'queue.stats'>);
      }
    }
  };
  return Object.assign(hook, { types: new Set(['agent.status_changed', 'queue.stats']) });
}

async function upsertQueueState(client: pg.PoolClient, d: EventData<'queue.stats'>): Promise<void> {
  await client.query(
    `INSERT INTO queue_states (queue, name, waiting, longest_waiting_since, agents, agents_logged_in,
       agents_available, answered_today, abandoned_today, day, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (queue) DO UPDATE SET name = EXCLUDED.name, waiting = EXCLUDED.waiting,
       longest_waiting_since = EXCLUDED.longest_waiting_since, agents = EXCLUDED.agents,
       agents_logged_in = EXCLUDED.agents_logged_in, agents_available = EXCLUDED.agents_available,
       answered_today = EXCLUDED.answered_today, abandoned_today = EXCLUDED.abandoned_today,
       day = EXCLUDED.day, updated_at = EXCLUDED.updated_at`,
    [
      d.queue,
      d.name,
      d.waiting,
      d.longestWaitingSince,
      d.agents,
      d.agentsLoggedIn,
      d.agentsAvailable,
      d.answeredToday,
      d.abandonedToday,
      d.day,
      d.at,
    ],
  );
}
