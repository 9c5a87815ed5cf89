import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';

/**
 * SSRF guard for webhook targets. The check runs inside the connection's own DNS lookup, so
 * the address that was checked is the address that is dialled (no DNS-rebinding window
 * between a check and a second resolution). IP literals, which skip lookup, are checked
 * before connecting.
 */

/** Why an address is refused. `metadata` and `unspecified` are refused even for local-network subscriptions. */
export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const b = new net.BlockList();
  for (const [addr, prefix, type] of entries) b.addSubnet(addr, prefix, type);
  return b;
}

// Order matters: the first matching class wins. IPv4 rules also match IPv4-mapped IPv6
// (::ffff:a.b.c.d), which net.BlockList handles.
const CLASSES: [AddressClass, net.BlockList][] = [
  [
    'metadata',
    (() => {
      const b = new net.BlockList();
      for (const a of ['169.254.169.254', '169.254.170.2', '100.100.100.200']) b.addAddress(a, 'ipv4');
      b.addAddress('fd00:ec2::254', 'ipv6');
      return b;
    })(),
  ],
  [
    'unspecified',
    list([
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ]),
  ],
  [
    'loopback',
    list([
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ]),
  ],
  [
    'link-local',
    list([
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ]),
  ],
  [
    'private',
    list([
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ]),
  ],
  [
    'reserved',
    list([
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['64:ff9b::', 96, 'ipv6'],
      ['64:ff9b:1::', 48, 'ipv6'],
      ['::', 96, 'ipv6'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['ff00::', 8, 'ipv6'],
      ['2002::', 16, 'ipv6'],
    ]),
  ],
];

/** Classifies an IP address. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/^\[|\]$/g, '');
  const family = net.isIP(ip);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, blocks] of CLASSES) if (blocks.check(ip, type)) return cls;
  return 'public';
}

/** Whether a subscription may connect to `address`. */
export function checkAddress(
  address: string,
  allowLocalNetwork: boolean,
): { allowed: boolean; class: AddressClass } {
  const cls = classifyAddress(address);
  if (cls === 'public') return { allowed: true, class: cls };
  if (cls === 'metadata' || cls === 'unspecified') return { allowed: false, class: cls };
  return { allowed: allowLocalNetwork, class: cls };
}

/** Thrown (as a connect error) when a target resolves to a refused address. */
export class SsrfBlockedError extends Error {
  override name = 'SsrfBlockedError';
  readonly code = 'ERR_SSRF_BLOCKED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(
      `refused to connect to ${host} (${address}: ${addressClass} address; allow the local network on the subscription to permit it)`,
    );
  }
}

/** A `lookup` for net.connect that resolves, then refuses if any resolved address is not allowed. */
export function guardedLookup(
  allowLocalNetwork: boolean,
  resolve: typeof dns.lookup = dns.lookup,
): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const list = addresses;
      for (const a of list) {
        const verdict = checkAddress(a.address, allowLocalNetwork);
        if (!verdict.allowed) return callback(new SsrfBlockedError(hostname, a.address, verdict.class));
      }
      if (list.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  }) as LookupFunction;
}

/** An undici connector that applies the guard to IP literals and, through lookup, to names. */
export function guardedConnector(
  allowLocalNetwork: boolean,
  opts: { timeoutMs?: number; resolve?: typeof dns.lookup } = {},
): buildConnector.connector {
  const options: buildConnector.BuildOptions & { lookup: LookupFunction } = {
    timeout: opts.timeoutMs ?? 10_000,
    lookup: guardedLookup(allowLocalNetwork, opts.resolve),
  };
  const base = buildConnector(options);
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      const verdict = checkAddress(host, allowLocalNetwork);
      if (!verdict.allowed) {
        callback(new SsrfBlockedError(host, host, verdict.class), null);
        return;
      }
    }
    base(options, callback);
  };
}
