import { describe, expect, it } from 'vitest';
import { allowListFor, checkAddress, classifyAddress, guardedLookup } from './ssrf-guard.js';

const ANY = allowListFor(['0.0.0.0/0', '::/0']);

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.10', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::7f00:1', 'reserved'],
    ['224.0.0.1', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('checkAddress', () => {
  it('refuses local ranges unless one of the allowed CIDRs contains them', () => {
    expect(checkAddress('10.0.0.5', null).allowed).toBe(false);
    expect(checkAddress('10.0.0.5', ANY).allowed).toBe(true);
    expect(checkAddress('::ffff:192.168.0.1', null).allowed).toBe(false);
    expect(checkAddress('93.184.216.34', null).allowed).toBe(true);
    const lan = allowListFor(['192.168.10.0/24', 'fd00:1::/32']);
    expect(checkAddress('192.168.10.7', lan).allowed).toBe(true);
    expect(checkAddress('::ffff:192.168.10.7', lan).allowed).toBe(true);
    expect(checkAddress('192.168.11.7', lan)).toEqual({ allowed: false, class: 'private' });
    expect(checkAddress('fd00:1::5', lan).allowed).toBe(true);
    expect(checkAddress('127.0.0.1', lan)).toEqual({ allowed: false, class: 'loopback' });
  });
  it('refuses cloud metadata and 0.0.0.0 even when every address is allowed', () => {
    expect(checkAddress('169.254.169.254', ANY)).toEqual({ allowed: false, class: 'metadata' });
    expect(checkAddress('::ffff:169.254.169.254', ANY).allowed).toBe(false);
    expect(checkAddress('169.254.169.254', allowListFor(['169.254.0.0/16'])).allowed).toBe(false);
    expect(checkAddress('0.0.0.0', ANY)).toEqual({ allowed: false, class: 'unspecified' });
    expect(checkAddress('169.254.10.10', allowListFor(['169.254.0.0/16'])).allowed).toBe(true);
  });
});

describe('guardedLookup', () => {
  const fakeResolve = (addresses: { address: string; family: number }[]) =>
    ((_host: string, _opts: unknown, cb: (err: Error | null, a: unknown) => void) =>
      cb(null, addresses)) as never;
  const run = (allowLocal: boolean, addresses: { address: string; family: number }[], all = false) =>
    new Promise<{ err: Error | null; result: unknown }>((resolve) =>
      guardedLookup(allowLocal ? ANY : null, fakeResolve(addresses))(
        'crm.example',
        { all },
        (err: Error | null, result: unknown) => resolve({ err, result }),
      ),
    );

  it('refuses a name if any resolved address is refused (DNS rebinding with mixed answers)', async () => {
    const { err } = await run(false, [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ]);
    expect(err?.message).toMatch(/169\.254\.169\.254: metadata/);
  });
  it('passes the checked address through to the connection', async () => {
    expect((await run(false, [{ address: '93.184.216.34', family: 4 }])).result).toBe('93.184.216.34');
    expect((await run(true, [{ address: '::1', family: 6 }], true)).result).toEqual([
      { address: '::1', family: 6 },
    ]);
  });
});
