import type { ServerResponse } from 'node:http';
import { sendJson } from '../http/respond.js';
import { UserError, type UserStore } from '../pbx/users.js';

/**
 * `/__sim/users` (GET: every user), `/__sim/users/{number}` (POST `{profile?, queueStatus?,
 * registered?}`: what a user does on their phone or app) and `/__sim/queues/{number}/agents`
 * (POST `{agents: [...]}`: the admin changes a queue's members). A bad value is a 400.
 */
export function handleUsersControl(
  res: ServerResponse,
  users: UserStore,
  method: string,
  route: string,
  body: Record<string, unknown>,
): void {
  try {
    if (route === 'users' && method === 'GET')
      return sendJson(res, 200, { users: users.list(), queues: users.queues });
    const user = /^users\/(\w+)$/.exec(route);
    if (user?.[1] && method === 'POST') return sendJson(res, 200, users.set(user[1], body));
    const queue = /^queues\/(\w+)\/agents$/.exec(route);
    if (queue?.[1] && method === 'POST') {
      if (!Array.isArray(body.agents) || !body.agents.every((a) => typeof a === 'string'))
        return sendJson(res, 400, { error: 'agents must be an array of extension numbers' });
      return sendJson(res, 200, users.setQueueAgents(queue[1], body.agents));
    }
    sendJson(res, 404, { error: 'unknown control route' });
  } catch (err) {
    if (err instanceof UserError) return sendJson(res, 400, { error: err.message });
    throw err;
  }
}
