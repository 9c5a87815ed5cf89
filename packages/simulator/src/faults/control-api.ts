import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, readBody } from '../http/read-body.js';
import { sendJson } from '../http/respond.js';
import type { FaultController } from './fault-controller.js';
import { handleUsersControl } from './users-control.js';
import type { UserStore } from '../pbx/users.js';
import type { ScenarioOptions } from '../pbx/pbx-runtime.js';

/** What the control API drives. */
export interface ControlTarget {
  faults: FaultController;
  users: UserStore;
  state(): unknown;
  restart(): Promise<void>;
  runScenario(name: string, o?: ScenarioOptions): Promise<unknown>;
  scenarioNames(): string[];
  setLoadRate(rate: number): void;
}

/**
 * The simulator's own control surface under `/__sim/` (no real 3CX has it; no auth):
 * `GET state`, `GET|POST|DELETE faults`, `POST restart`, `GET scenarios`, `GET users`,
 * `POST users/{number}` (presence, queue login, registration), `POST queues/{number}/agents`,
 * `POST scenarios/{name}` (waits for the flow and its CDRs; body `{"timeScale": x}` runs this call at
 * another speed), `POST load {"rate":N}`.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  target: ControlTarget,
  pathname: string,
): Promise<void> {
  const route = pathname.slice('/__sim/'.length);
  const method = req.method ?? 'GET';
  const body = method === 'POST' || method === 'PUT' ? parseJson(await readBody(req)) : {};
  if (body === null) return sendJson(res, 400, { error: 'body must be a JSON object' });
  if (route === 'state' && method === 'GET') return sendJson(res, 200, target.state());
  if (route === 'users' || route.startsWith('users/') || route.startsWith('queues/'))
    return handleUsersControl(res, target.users, method, route, body);
  if (route === 'faults') {
    if (method === 'GET') return sendJson(res, 200, target.faults.settings);
    if (method === 'POST' || method === 'PUT') return sendJson(res, 200, await target.faults.set(body));
    if (method === 'DELETE') return sendJson(res, 200, await target.faults.clear());
  }
  if (route === 'restart' && method === 'POST') {
    await target.restart();
    return sendJson(res, 200, { restarted: true });
  }
  if (route === 'scenarios' && method === 'GET') return sendJson(res, 200, target.scenarioNames());
  const scenario = /^scenarios\/([\w-]+)$/.exec(route);
  if (scenario?.[1] && method === 'POST') {
    if (!target.scenarioNames().includes(scenario[1]))
      return sendJson(res, 404, { error: `unknown scenario ${scenario[1]}` });
    const timeScale = body.timeScale;
    if (timeScale !== undefined && (typeof timeScale !== 'number' || !(timeScale > 0) || timeScale > 10))
      return sendJson(res, 400, { error: 'timeScale must be a number above 0 and at most 10' });
    return sendJson(
      res,
      200,
      await target.runScenario(scenario[1], timeScale === undefined ? {} : { timeScale }),
    );
  }
  if (route === 'load' && method === 'POST' && typeof body.rate === 'number' && body.rate >= 0) {
    target.setLoadRate(body.rate);
    return sendJson(res, 200, { rate: body.rate });
  }
  sendJson(res, 404, { error: 'unknown control route' });
}
