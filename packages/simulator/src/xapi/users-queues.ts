import type { SimQueue, SimUser, UserStore } from '../pbx/users.js';
import { ODataQueryError } from './odata-query.js';

/** The `Pbx.User` fields the simulator serves ([OFFICIAL] swagger names; a subset of 80). */
export const USER_FIELDS = [
  'Id',
  'Number',
  'FirstName',
  'LastName',
  'DisplayName',
  'EmailAddress',
  'CurrentProfileName',
  'QueueStatus',
  'IsRegistered',
  'Enabled',
] as const;

/** `Pbx.Queue` fields served (a subset of 55), plus the `Agents` navigation property on `$expand`. */
export const QUEUE_FIELDS = [
  'Id',
  'Number',
  'Name',
  'IsRegistered',
  'PollingStrategy',
  'RingTimeout',
  'MasterTimeout',
  'WrapUpTime',
] as const;

/** `Pbx.QueueAgent` ([OFFICIAL] swagger: all five). */
export const QUEUE_AGENT_FIELDS = ['Id', 'Number', 'Name', 'SkillGroup', 'Tags'] as const;

/** "Last, First": how 3CX builds `DisplayName` ([FIELD] REDiTECH: "Johnson, Andrew"). */
const displayName = (u: SimUser) => (u.lastName ? `${u.lastName}, ${u.firstName}` : u.firstName);

function userItem(u: SimUser): Record<string, unknown> {
  return {
    Id: u.id,
    Number: u.number,
    FirstName: u.firstName,
    LastName: u.lastName,
    DisplayName: displayName(u),
    EmailAddress: `${u.firstName.toLowerCase()}@example.com`,
    CurrentProfileName: u.profile,
    QueueStatus: u.queueStatus,
    IsRegistered: u.registered,
    Enabled: true,
  };
}

function agentItems(q: SimQueue, users: UserStore): Record<string, unknown>[] {
  return q.agents.map((number) => {
    const u = users.get(number);
    return { Id: u?.id ?? 0, Number: number, Name: u ? displayName(u) : number, SkillGroup: '1', Tags: [] };
  });
}

function queueItem(q: SimQueue): Record<string, unknown> {
  return {
    Id: q.id,
    Number: q.number,
    Name: q.name,
    IsRegistered: true,
    PollingStrategy: 'RingAll',
    RingTimeout: 20,
    MasterTimeout: 120,
    WrapUpTime: 0,
  };
}

/** A collection to answer: its entity set name, rows and the fields `$select`/`$filter` know. */
export interface CollectionAnswer {
  set: string;
  items: Record<string, unknown>[];
  fields: readonly string[];
  /** The query to apply: the request's, with an expanded navigation property kept by `$select`. */
  params: URLSearchParams;
}

/**
 * `GET Users`, `GET Queues` (with `$expand=Agents`) and `GET Queues({Id})/Agents`; undefined
 * for any other path. An unknown `$expand` is a 400, as OData answers it.
 */
export function usersAndQueues(
  path: string,
  params: URLSearchParams,
  users: UserStore,
): CollectionAnswer | 'not-found' | undefined {
  if (path === 'Users')
    return { set: 'Users', items: users.list().map(userItem), fields: USER_FIELDS, params };
  if (path === 'Queues') {
    const expand = params.get('$expand');
    if (expand && expand !== 'Agents')
      throw new ODataQueryError(`Could not find a property named '${expand}' on type 'Pbx.Queue'.`);
    if (!expand) return { set: 'Queues', items: users.queues.map(queueItem), fields: QUEUE_FIELDS, params };
    // An expanded navigation property comes back whatever `$select` lists.
    const query = new URLSearchParams(params);
    const select = query.get('$select');
    if (select) query.set('$select', `${select},Agents`);
    return {
      set: 'Queues',
      items: users.queues.map((q) => ({ ...queueItem(q), Agents: agentItems(q, users) })),
      fields: [...QUEUE_FIELDS, 'Agents'],
      params: query,
    };
  }
  const agents = /^Queues\((\d+)\)\/Agents$/.exec(path);
  if (agents) {
    const q = users.queues.find((x) => x.id === Number(agents[1]));
    if (!q) return 'not-found';
    return { set: `Queues(${q.id})/Agents`, items: agentItems(q, users), fields: QUEUE_AGENT_FIELDS, params };
  }
  return undefined;
}
