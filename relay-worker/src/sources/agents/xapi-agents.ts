import { readPages, XAPI_MAX_TOP } from '../xapi/odata-pages.js';
import type { PbxHttp } from '../xapi/pbx-http.js';

/** The `Pbx.User` fields the relay reads (`$select`), as 3CX returns them. */
export interface XapiUser {
  Id: number;
  Number: string | null;
  FirstName: string | null;
  LastName: string | null;
  DisplayName: string | null;
  CurrentProfileName: string | null;
  /** `LoggedIn` | `LoggedOut` (`Pbx.QueueStatusType`). */
  QueueStatus: string | null;
  IsRegistered: boolean | null;
}

/** A queue with its agents (`Queues?$expand=Agents`). */
export interface XapiQueue {
  Id: number;
  Number: string | null;
  Name: string | null;
  Agents?: { Number: string | null }[] | null;
}

/** Requests one read may make at most: 200 pages of 100, far more users than any V20 licence has. */
const MAX_PAGES = 200;

/** How many XAPI requests reading `rows` rows costs (pages of 100; at least one). */
export function requestsFor(rows: number): number {
  return Math.max(1, Math.ceil(rows / XAPI_MAX_TOP));
}

/**
 * Every user with presence, queue login and registration: `GET /xapi/v1/Users` with a narrow
 * `$select`, in pages of 100 ordered by `Id` (one request up to 100 users).
 */
export async function readUsers(http: PbxHttp): Promise<XapiUser[]> {
  const { items } = await readPages<XapiUser>(
    http,
    '/xapi/v1/Users',
    {
      $select: 'Id,Number,FirstName,LastName,DisplayName,CurrentProfileName,QueueStatus,IsRegistered',
      $orderby: 'Id asc',
    },
    { skip: 0, want: MAX_PAGES * XAPI_MAX_TOP, maxPages: MAX_PAGES },
  );
  return items.filter((u) => u && typeof u.Number === 'string' && u.Number !== '');
}

/** Every queue with its agents' numbers: `GET /xapi/v1/Queues?$expand=Agents` (one request up to 100 queues). */
export async function readQueues(http: PbxHttp): Promise<XapiQueue[]> {
  const { items } = await readPages<XapiQueue>(
    http,
    '/xapi/v1/Queues',
    { $select: 'Id,Number,Name', $expand: 'Agents', $orderby: 'Id asc' },
    { skip: 0, want: MAX_PAGES * XAPI_MAX_TOP, maxPages: MAX_PAGES },
  );
  return items.filter((q) => q && typeof q.Number === 'string' && q.Number !== '');
}
