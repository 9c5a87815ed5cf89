import { randomUUID } from 'node:crypto';
import { bumpTally, type Tally } from './tally.js';

/** An admin API route and the least role allowed to call it. */
interface AdminRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  role: 'viewer' | 'admin';
  body?: unknown;
}

const id = randomUUID();
/** Every route of admin/README.md's table except login, logout and next-auth's own. */
export const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'GET', path: '/stats', role: 'viewer' },
  { method: 'GET', path: '/connections', role: 'viewer' },
  { method: 'POST', path: '/connections/xapi/reconnect', role: 'admin' },
  { method: 'GET', path: '/errors', role: 'viewer' },
  { method: 'POST', path: `/errors/1/acknowledge`, role: 'admin' },
  { method: 'POST', path: '/errors/acknowledge', role: 'admin', body: { ids: ['1'] } },
  { method: 'GET', path: '/api-keys', role: 'viewer' },
  { method: 'POST', path: '/api-keys', role: 'admin', body: { name: 'probe', scopes: ['calls:read'] } },
  { method: 'GET', path: `/api-keys/${id}`, role: 'viewer' },
  { method: 'DELETE', path: `/api-keys/${id}`, role: 'admin' },
  { method: 'GET', path: `/api-keys/${id}/usage`, role: 'viewer' },
  { method: 'GET', path: '/webhooks', role: 'viewer' },
  {
    method: 'POST',
    path: '/webhooks',
    role: 'admin',
    body: { name: 'probe', url: 'https://example.invalid/hook' },
  },
  { method: 'GET', path: `/webhooks/${id}`, role: 'viewer' },
  { method: 'PATCH', path: `/webhooks/${id}`, role: 'admin', body: { enabled: false } },
  { method: 'DELETE', path: `/webhooks/${id}`, role: 'admin' },
  { method: 'POST', path: `/webhooks/${id}/test`, role: 'admin' },
  { method: 'POST', path: `/webhooks/${id}/rotate-secret`, role: 'admin', body: {} },
  { method: 'GET', path: `/webhooks/${id}/deliveries`, role: 'viewer' },
  { method: 'POST', path: `/webhooks/${id}/retry-failed`, role: 'admin' },
  {
    method: 'POST',
    path: `/webhooks/${id}/recover`,
    role: 'admin',
    body: { since: new Date().toISOString() },
  },
  { method: 'POST', path: '/deliveries/1/retry', role: 'admin' },
  { method: 'GET', path: '/users', role: 'admin' },
  {
    method: 'POST',
    path: '/users',
    role: 'admin',
    body: { email: 'probe@example.invalid', role: 'admin', password: 'probe-password-123' },
  },
  { method: 'PATCH', path: `/users/${id}`, role: 'admin', body: { role: 'admin' } },
  { method: 'DELETE', path: `/users/${id}`, role: 'admin' },
  { method: 'POST', path: `/users/${id}/reset-password`, role: 'admin', body: {} },
  { method: 'GET', path: '/audit', role: 'viewer' },
];

/** Pages a signed-out visitor must be sent away from. */
export const ADMIN_PAGES = ['/admin', '/admin/webhooks', '/admin/api-keys', '/admin/users', '/admin/errors'];

async function send(origin: string, r: AdminRoute, cookie: string | null): Promise<number> {
  const res = await fetch(`${origin}/admin/api${r.path}`, {
    method: r.method,
    redirect: 'manual',
    headers: { origin, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : r.method !== 'GET' ? { body: '{}' } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Signs in; returns the session cookie or null with the status. */
export async function login(
  origin: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; cookie: string | null }> {
  const res = await fetch(`${origin}/admin/api/login`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(15_000),
  });
  await res.arrayBuffer();
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.includes('='));
  return { status: res.status, cookie: set.length ? set.join('; ') : null };
}

/** What the admin probe saw. */
export interface AdminProbe {
  /** Statuses of every API route signed out, and of every page (3xx = sent to login). */
  unauthenticated: Tally;
  pages: Tally;
  /** Statuses of admin-only routes as a viewer, and of viewer routes as a viewer. */
  viewerOnAdmin: Tally;
  viewerOnViewer: Tally;
}

/** Calls every route signed out and as a viewer. */
export async function probeAdmin(origin: string, viewerCookie: string): Promise<AdminProbe> {
  const p: AdminProbe = {
    unauthenticated: new Map(),
    pages: new Map(),
    viewerOnAdmin: new Map(),
    viewerOnViewer: new Map(),
  };
  for (const r of ADMIN_ROUTES) {
    bumpTally(p.unauthenticated, await send(origin, r, null));
    bumpTally(r.role === 'admin' ? p.viewerOnAdmin : p.viewerOnViewer, await send(origin, r, viewerCookie));
  }
  for (const page of ADMIN_PAGES) {
    const res = await fetch(`${origin}${page}`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    await res.arrayBuffer();
    const to = res.headers.get('location') ?? '';
    bumpTally(
      p.pages,
      res.status >= 300 && res.status < 400 && to.includes('/login') ? 'to login' : res.status,
    );
  }
  return p;
}

/** `attempts` wrong passwords for one account, then the right one; statuses of each. */
export async function bruteForce(
  origin: string,
  email: string,
  password: string,
  attempts: number,
): Promise<{ wrong: Tally; rightAfter: number }> {
  const wrong: Tally = new Map();
  for (let i = 0; i < attempts; i++)
    bumpTally(wrong, (await login(origin, email, `wrong-${i}-password`)).status);
  return { wrong, rightAfter: (await login(origin, email, password)).status };
}
