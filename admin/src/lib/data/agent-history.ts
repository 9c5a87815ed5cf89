import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { pageArgs, pageParam, toPage } from './paging';

/** What an agent change can be about (`agent.status_changed`'s `changed`). */
export const AGENT_CHANGES = ['profile', 'dnd', 'queueStatus', 'registered', 'queues'] as const;

/** Presence values (`agent.status_changed`'s `presence`). */
export const PRESENCES = ['available', 'away', 'out_of_office', 'custom1', 'custom2', 'unknown'] as const;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

/** Filters of the agent-state history (page query string and `GET /api/agents/history`). */
export const AgentHistoryFilter = z.object({
  page: pageParam,
  extension: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z*#+._-]{1,32}$/)
    .optional()
    .catch(undefined),
  change: z.enum(AGENT_CHANGES).optional().catch(undefined),
  presence: z.enum(PRESENCES).optional().catch(undefined),
  /** From this day (UTC), inclusive. */
  from: day,
  /** To this day (UTC), inclusive. */
  to: day,
});

/** Parsed {@link AgentHistoryFilter}. */
export type AgentHistoryFilter = z.infer<typeof AgentHistoryFilter>;

/** A page of agent state changes, newest first. */
export async function listAgentHistory(db: Db, f: AgentHistoryFilter) {
  const occurredAt = {
    ...(f.from ? { gte: new Date(`${f.from}T00:00:00Z`) } : {}),
    ...(f.to ? { lt: new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000) } : {}),
  };
  const where = {
    ...(f.extension ? { extension: f.extension } : {}),
    ...(f.change ? { changed: { has: f.change } } : {}),
    ...(f.presence ? { presence: f.presence } : {}),
    ...(f.from || f.to ? { occurredAt } : {}),
  };
  const [rows, total] = await Promise.all([
    db.agentStateHistory.findMany({
      where,
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      ...pageArgs(f.page),
    }),
    db.agentStateHistory.count({ where }),
  ]);
  return toPage(rows, total, f.page);
}
