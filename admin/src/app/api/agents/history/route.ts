import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { AgentHistoryFilter, listAgentHistory } from '@/lib/data/agent-history';
import { toJson } from '@/lib/data/json';

/** GET /admin/api/agents/history?page&extension&change&presence&from&to: agent state changes. */
export const GET = handleRoute('viewer', async ({ query }) =>
  toJson(await listAgentHistory(await db(), query(AgentHistoryFilter))),
);
