import type pg from 'pg';
import type { AgentState } from '@3cx-relay/events';
import type { QueueEntry } from '../../fanout/live-snapshot.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { EventStore } from '../../events/event-store.js';
import { HoldingAppender } from '../../events/holding-appender.js';
import type { StatusBoard } from '../../status/status-board.js';
import type { Lifecycle } from '../../lifecycle/lifecycle.js';
import type { Sources } from '../start-sources.js';
import { AgentStateSource } from './agent-state-source.js';
import { createAgentQueueHook } from './agent-queue-store.js';
import { QueueStatsSource } from './queue-stats-source.js';
import { WallboardPublisher } from './wallboard-publisher.js';
import { startAgentHistoryPruner } from './prune-agent-history.js';

/** Agent and queue state, when enabled: what the wallboard, the snapshots and the tests read. */
export interface Presence {
  /** Agent states from XAPI; undefined without XAPI or with AGENT_STATE_ENABLED=false. */
  agents: AgentStateSource | undefined;
  /** Queue figures; undefined with AGENT_STATE_ENABLED=false. */
  queues: QueueStatsSource | undefined;
  wallboard: WallboardPublisher;
  /** Current states for snapshots (empty when off). */
  agentStates(): AgentState[];
  queueEntries(): QueueEntry[];
}

export interface PresenceDeps {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  events: EventStore;
  status: StatusBoard;
  lifecycle: Lifecycle;
  sources: Sources;
}

/**
 * Starts agent state (XAPI), queue figures (live calls + agent states) and the wallboard
 * publisher, and registers the append hook that keeps `agent_states`, `agent_state_history`
 * and `queue_states` in step with the events. Each source holds its events while the relay's
 * own database is down (newest 1,000 kept) and appends them when it is back.
 */
export async function startPresence(d: PresenceDeps): Promise<Presence> {
  const { config: c, log } = d;
  d.events.addHook(createAgentQueueHook());
  const wallboard = new WallboardPublisher(
    { pool: d.pool, calls: () => d.sources.callState.activeCalls(), everyMs: 1000, refreshMs: 30_000 },
    log.child({ module: 'wallboard' }),
  );
  wallboard.start();
  d.lifecycle.onClose('wallboard', () => wallboard.stop());
  let agents: AgentStateSource | undefined;
  const http = d.sources.pbxHttp;
  if (c.AGENT_STATE_ENABLED && c.SOURCE_XAPI_ENABLED && http) {
    const agentLog = log.child({ module: 'agents' });
    const appender = new HoldingAppender(d.events, agentLog, 'agent.status_changed events', 1000);
    agents = new AgentStateSource(
      {
        http,
        pool: d.pool,
        append: (e) => appender.append(e),
        status: d.status,
        pollMs: c.AGENT_STATE_POLL_MS,
        queuesEveryMs: c.AGENT_QUEUES_POLL_MS,
        maxRequestsPerMinute: c.AGENT_STATE_MAX_XAPI_PER_MINUTE,
        dndProfiles: c.AGENT_DND_PROFILES,
      },
      agentLog,
    );
    agents.on('changed', () => wallboard.touch());
    await agents.start();
    d.lifecycle.onClose(
      'agent-history-pruner',
      startAgentHistoryPruner(d.pool, agentLog, c.AGENT_HISTORY_RETENTION_DAYS * 86_400_000),
    );
    d.lifecycle.onClose('agents', () => agents!.stop());
  }
  let queues: QueueStatsSource | undefined;
  if (c.AGENT_STATE_ENABLED && (agents || d.sources.callControl)) {
    const queueLog = log.child({ module: 'queues' });
    const appender = new HoldingAppender(d.events, queueLog, 'queue.stats events', 1000);
    queues = new QueueStatsSource(
      {
        calls: () => d.sources.callState.activeCalls(),
        agents,
        events: d.events,
        append: (e) => appender.append(e),
        pool: d.pool,
        timeZone: c.QUEUE_STATS_TIME_ZONE,
        minIntervalMs: 1000,
        tickMs: 1000,
      },
      queueLog,
    );
    queues.on('changed', () => wallboard.touch());
    await queues.start();
    d.lifecycle.onClose('queues', () => queues!.stop());
  }
  return {
    agents,
    queues,
    wallboard,
    agentStates: () => agents?.agents() ?? [],
    queueEntries: () => {
      const members = new Map((agents?.queues() ?? []).map((q) => [q.number, q.agents]));
      return (queues?.stats() ?? []).map((stats) => ({ stats, members: members.get(stats.queue) ?? [] }));
    },
  };
}
