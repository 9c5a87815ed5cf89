import { describe, expect, it } from 'vitest';
import {
  SUBSCRIPTION_LIMITS,
  SubscriptionInput,
  SubscriptionPatch,
  checkSubscriptionRules,
  checkSubscriptionTarget,
  describeIssues,
  parseCidr,
} from '../src/index.js';

const base = { name: 'CRM', url: 'https://crm.example.com/hooks/3cx' };

/** A create as both APIs run it: the schema, then the rules; the readable issues, or [] when it passes. */
function issues(body: unknown): string[] {
  const r = SubscriptionInput.safeParse(body);
  if (!r.success) return describeIssues(r.error).split('; ');
  try {
    checkSubscriptionRules(r.data);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

function patchIssues(body: unknown, current: { url: string; allowedCidrs: string[]; headerNames: string[] }) {
  const r = SubscriptionPatch.safeParse(body);
  if (!r.success) return describeIssues(r.error).split('; ');
  try {
    checkSubscriptionRules(r.data, current);
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

describe('SubscriptionInput and checkSubscriptionRules', () => {
  it('fill the defaults: per-call ordering, 8 at once, no limit, relay timeout, public addresses only', () => {
    const r = SubscriptionInput.safeParse(base);
    expect(r).toEqual({
      success: true,
      data: {
        ...base,
        description: '',
        eventTypes: [],
        extensions: [],
        dids: [],
        queues: [],
        departments: [],
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

  it('departments: names trimmed at the ends, inner spaces kept; empty names refused', () => {
    const r = SubscriptionInput.safeParse({ ...base, departments: [' Hotline CH ', '__DEFAULT__'] });
    expect(r.data?.departments).toEqual(['Hotline CH', '__DEFAULT__']);
    expect(SubscriptionInput.safeParse({ ...base, departments: ['  '] }).success).toBe(false);
  });

  it('lower-cases header names, canonicalises CIDRs and drops repeated ones', () => {
    const r = SubscriptionInput.parse({
      ...base,
      headers: { Authorization: 'Bearer abc', 'X-Tenant': 'acme' },
      allowedCidrs: ['10.0.0.0/8', ' 10.0.0.0/8 ', '192.168.1.20', 'FD00::/8'],
    });
    expect(r.headers).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'acme' });
    expect(r.allowedCidrs).toEqual(['10.0.0.0/8', '192.168.1.20/32', 'fd00::/8']);
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
      { ...base, url: 'http://127.0.0.1:9/h' },
      'url: 127.0.0.1 is a loopback address (local network); add a CIDR containing it to allowedCidrs',
    ],
    [
      { ...base, url: 'http://169.254.169.254/', allowedCidrs: ['0.0.0.0/0'] },
      'url: 169.254.169.254 is a metadata address and is never allowed',
    ],
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
    [{ ...base, eventTypes: ['call.ringing', 'nope.*'] }, 'eventTypes: unknown type nope.*'],
    [{ ...base, url: 'ftp://crm.example.com' }, 'url: must be an http(s) URL'],
    [
      { ...base, url: 'https://user:pw@crm.example.com/' },
      'url: must not carry credentials (send them as a header)',
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

  it('refuses a body that is not an object', () => {
    expect(issues(null)[0]).toMatch(/^body: /);
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

describe('SubscriptionPatch and checkSubscriptionRules', () => {
  const current = { url: 'http://10.0.0.5/h', allowedCidrs: ['10.0.0.0/8'], headerNames: ['authorization'] };
  it('check the URL and CIDRs that result, and the header count after the change', () => {
    expect(patchIssues({ allowedCidrs: [] }, current)[0]).toMatch(/^url: 10\.0\.0\.5 is a private address/);
    expect(patchIssues({ url: 'https://crm.example.com/h', allowedCidrs: [] }, current)).toEqual([]);
    expect(SubscriptionPatch.parse({ headers: { Authorization: null, 'X-New': 'v' } }).headers).toEqual({
      authorization: null,
      'x-new': 'v',
    });
    const many = Object.fromEntries(
      Array.from({ length: SUBSCRIPTION_LIMITS.headers }, (_, i) => [`x-${i}`, 'v']),
    );
    expect(patchIssues({ headers: many }, current)).toEqual([
      `headers: at most ${SUBSCRIPTION_LIMITS.headers} headers`,
    ]);
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
