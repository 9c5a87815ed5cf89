import { describe, expect, it } from 'vitest';
import {
  SUBSCRIPTION_LIMITS,
  checkSubscriptionTarget,
  parseCidr,
  parseSubscriptionCreate,
  parseSubscriptionPatch,
} from '../src/index.js';

const base = { name: 'CRM', url: 'https://crm.example.com/hooks/3cx' };
const issues = (body: unknown) => {
  const r = parseSubscriptionCreate(body);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('parseSubscriptionCreate', () => {
  it('fills the defaults: per-call ordering, 8 at once, no limit, relay timeout, public addresses only', () => {
    const r = parseSubscriptionCreate(base);
    expect(r).toEqual({
      ok: true,
      value: {
        ...base,
        description: '',
        eventTypes: [],
        extensions: [],
        dids: [],
        queues: [],
        ordering: 'per-call',
        timeoutMs: null,
        maxConcurrency: 8,
        rateLimitPerSecond: null,
        allowedCidrs: [],
        headers: {},
        signing: 'hmac',
      },
    });
  });

  it('lower-cases header names, canonicalises CIDRs and drops repeated ones', () => {
    const r = parseSubscriptionCreate({
      ...base,
      headers: { Authorization: 'Bearer abc', 'X-Tenant': 'acme' },
      allowedCidrs: ['10.0.0.0/8', ' 10.0.0.0/8 ', '192.168.1.20', 'FD00::/8'],
    });
    expect(r.ok && r.value.headers).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'acme' });
    expect(r.ok && r.value.allowedCidrs).toEqual(['10.0.0.0/8', '192.168.1.20/32', 'fd00::/8']);
  });

  it.each([
    [
      { ...base, headers: { 'x-a': 'ok\r\nInjected: yes' } },
      'headers.x-a: header value may hold only printable ASCII (no line breaks)',
    ],
    [
      { ...base, headers: { 'bad name': 'v' } },
      "headers.#1: header name may hold only letters, digits and !#$%&'*+.^_`|~-",
    ],
    [
      { ...base, headers: { 'x-\u0000evil': 'v' } },
      "headers.#1: header name may hold only letters, digits and !#$%&'*+.^_`|~-",
    ],
    [
      { ...base, headers: { 'Webhook-Signature': 'v1,forged' } },
      'headers.#1: webhook-signature is set by the relay and cannot be overridden',
    ],
    [
      { ...base, headers: { traceparent: 'x' } },
      'headers.#1: traceparent is set by the relay and cannot be overridden',
    ],
    [{ ...base, headers: { 'X-A': 'a', 'x-a': 'b' } }, 'headers.#2: x-a is given twice'],
    [{ ...base, headers: { 'x-a': 5 } }, 'headers.x-a: Invalid input: expected string, received number'],
    [
      { ...base, allowedCidrs: ['10.0.0.0/33'] },
      'allowedCidrs.0: "10.0.0.0/33" is not an IP address or CIDR block',
    ],
    [
      { ...base, allowedCidrs: ['crm.local'] },
      'allowedCidrs.0: "crm.local" is not an IP address or CIDR block',
    ],
    [{ ...base, ordering: 'fifo' }, 'ordering: must be per-call or none'],
    [{ ...base, timeoutMs: 10 }, 'timeoutMs: Too small: expected number to be >=1000'],
    [{ ...base, maxConcurrency: 0 }, 'maxConcurrency: Too small: expected number to be >=1'],
    [{ ...base, rateLimitPerSecond: -1 }, 'rateLimitPerSecond: Too small: expected number to be >=0.1'],
    [{ ...base, eventTypes: ['call.ringing', 'nope.*'] }, 'eventTypes.1: unknown event type "nope.*"'],
    [{ ...base, url: 'ftp://crm.example.com' }, 'url: must be an http(s) URL'],
    [
      { ...base, url: 'https://user:pw@crm.example.com/' },
      'url: must not carry credentials; send them as a header',
    ],
  ])('refuses hostile input with a readable reason (%#)', (body, message) => {
    expect(issues(body)).toEqual([message]);
  });

  it('refuses too many headers and too many CIDRs', () => {
    const headers = Object.fromEntries(
      Array.from({ length: SUBSCRIPTION_LIMITS.headers + 1 }, (_, i) => [`x-${i}`, 'v']),
    );
    expect(issues({ ...base, headers })).toEqual([`headers: at most ${SUBSCRIPTION_LIMITS.headers} headers`]);
    const allowedCidrs = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    expect(issues({ ...base, allowedCidrs })[0]).toMatch(/^allowedCidrs: Too big/);
  });

  it('accepts wildcards that match a type, and the opt-in types', () => {
    expect(
      issues({ ...base, eventTypes: ['call.*', 'subscription.*', 'relay.status_changed', '*'] }),
    ).toEqual([]);
  });

  it('is a plain result for a body that is not an object', () => {
    expect(parseSubscriptionCreate(null)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^body: /),
    });
  });
});

describe('checkSubscriptionTarget', () => {
  it('lets a private target through only inside an allowed CIDR; metadata and 0.0.0.0 never', () => {
    expect(checkSubscriptionTarget('http://10.1.2.3/h', [])).toMatch(/private address \(local network\)/);
    expect(checkSubscriptionTarget('http://10.1.2.3/h', ['10.0.0.0/8'])).toBeNull();
    expect(checkSubscriptionTarget('http://[::ffff:10.1.2.3]/h', ['10.0.0.0/8'])).toBeNull();
    expect(checkSubscriptionTarget('http://169.254.169.254/', ['0.0.0.0/0'])).toMatch(
      /metadata address and is never allowed/,
    );
    expect(checkSubscriptionTarget('http://0.0.0.0:80/', ['0.0.0.0/0'])).toMatch(/never allowed/);
    expect(checkSubscriptionTarget('http://localhost:8080/', ['10.0.0.0/8'])).toMatch(/loopback/);
    expect(checkSubscriptionTarget('http://localhost:8080/', ['127.0.0.1'])).toBeNull();
    expect(checkSubscriptionTarget('http://crm.local/', [])).toMatch(/local network name/);
    expect(checkSubscriptionTarget('http://crm.local/', ['192.168.0.0/16'])).toBeNull();
    expect(checkSubscriptionTarget('https://crm.example.com/', [])).toBeNull();
  });
});

describe('parseSubscriptionPatch', () => {
  const current = { url: 'http://10.0.0.5/h', allowedCidrs: ['10.0.0.0/8'], headerNames: ['authorization'] };
  it('checks the URL and CIDRs that result, and the header count after the change', () => {
    expect(parseSubscriptionPatch({ allowedCidrs: [] }, current)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^url: 10\.0\.0\.5 is a private address/),
    });
    expect(parseSubscriptionPatch({ url: 'https://crm.example.com/h', allowedCidrs: [] }, current).ok).toBe(
      true,
    );
    const r = parseSubscriptionPatch({ headers: { Authorization: null, 'X-New': 'v' } }, current);
    expect(r.ok && r.value.headers).toEqual({ authorization: null, 'x-new': 'v' });
    const many = Object.fromEntries(
      Array.from({ length: SUBSCRIPTION_LIMITS.headers }, (_, i) => [`x-${i}`, 'v']),
    );
    expect(parseSubscriptionPatch({ headers: many }, current)).toMatchObject({
      ok: false,
      issues: [{ path: 'headers' }],
    });
  });
});

describe('parseCidr', () => {
  it.each(['10.0.0.0/8', '::1', 'fe80::/10', '0.0.0.0/0'])('parses %s', (c) =>
    expect(parseCidr(c)).not.toBeNull(),
  );
  it.each(['10.0.0.0/', '10.0.0/8', '::1/129', '10.0.0.0/8/8', 'a.b.c.d', '1.2.3.4/-1'])('refuses %s', (c) =>
    expect(parseCidr(c)).toBeNull(),
  );
});
