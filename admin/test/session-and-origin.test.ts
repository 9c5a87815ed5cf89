import { randomBytes } from 'node:crypto';
import { encode, type JWT } from 'next-auth/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as OriginModule from '../src/lib/api/origin.js';
import type * as CookieModule from '../src/lib/auth/session-cookie.js';
import type * as InfoModule from '../src/lib/api/request-info.js';

// config() reads process.env once: set it before the modules that use it are loaded.
const SECRET = 'n'.repeat(40);
Object.assign(process.env, {
  DATABASE_URL: 'postgresql://relay@127.0.0.1:5432/relay',
  NEXTAUTH_SECRET: SECRET,
  NEXTAUTH_URL: 'https://pbx.example.com:8443/admin/api/auth',
  RELAY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  TRUSTED_PROXY_SECRET: 'p'.repeat(32),
});
let origin: typeof OriginModule;
let cookie: typeof CookieModule;
let info: typeof InfoModule;
beforeAll(async () => {
  origin = await import('../src/lib/api/origin.js');
  cookie = await import('../src/lib/auth/session-cookie.js');
  info = await import('../src/lib/api/request-info.js');
});

const refused = (headers: Record<string, string>) => {
  try {
    origin.assertSameOrigin(new Headers(headers));
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'CROSS_ORIGIN';
  }
};

describe('Origin check on mutations', () => {
  it('accepts exactly the configured origin: scheme, host and port', () => {
    expect(refused({ origin: 'https://pbx.example.com:8443', host: 'pbx.example.com' })).toBe(false);
    expect(refused({ origin: 'https://PBX.example.com:8443' })).toBe(false);
  });

  it("refuses the same host on another port (the PBX's own web client) or scheme, whatever Host says", () => {
    expect(refused({ origin: 'https://pbx.example.com', host: 'pbx.example.com' })).toBe(true);
    expect(refused({ origin: 'https://pbx.example.com:5001', host: 'pbx.example.com:5001' })).toBe(true);
    expect(
      refused({ origin: 'http://pbx.example.com:8443', 'x-forwarded-host': 'pbx.example.com:8443' }),
    ).toBe(true);
    expect(refused({ origin: 'https://evil.example', host: 'evil.example' })).toBe(true);
    expect(refused({ origin: 'null' })).toBe(true);
  });
});

describe('client address', () => {
  it("believes X-Real-IP only with the trusted proxy's secret", () => {
    const proxy = { 'x-relay-proxy': 'p'.repeat(32) };
    expect(info.clientIp(new Headers({ ...proxy, 'x-real-ip': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(info.clientIp(new Headers({ 'x-real-ip': '203.0.113.7' }))).toBe('local');
    expect(info.clientIp(new Headers({ 'x-forwarded-for': '203.0.113.7' }))).toBe('local');
    expect(info.clientIp(new Headers({ 'x-relay-proxy': 'wrong', 'x-real-ip': '203.0.113.7' }))).toBe(
      'local',
    );
  });
});

describe('session cookie', () => {
  const claims = (iatMs: number) =>
    ({ sub: 'u1', email: 'a@b', role: 'admin', sid: 's1', iatMs }) as unknown as JWT;

  it('is refused 24 h after sign-in even when a refresh gave it a fresh exp', async () => {
    const now = Date.now();
    // What next-auth's session route sends back: the same claims, a new exp 24 h ahead.
    const refreshed = await encode({ token: claims(now - 25 * 3600_000), secret: SECRET, maxAge: 86_400 });
    expect(await cookie.decodeSession(refreshed, now)).toBeNull();
    const fresh = await encode({ token: claims(now - 3600_000), secret: SECRET, maxAge: 86_400 });
    expect(await cookie.decodeSession(fresh, now)).toMatchObject({ sub: 'u1', sid: 's1' });
  });

  it('is refused without a server-side session id', async () => {
    const token = { sub: 'u1', email: 'a@b', role: 'admin', iatMs: Date.now() } as unknown as JWT;
    expect(await cookie.decodeSession(await encode({ token, secret: SECRET }))).toBeNull();
  });
});
