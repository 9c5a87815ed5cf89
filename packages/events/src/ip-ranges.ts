import net from 'node:net';

/**
 * Address classes for the webhook SSRF guard, shared by the worker (which checks the address
 * it dials) and the admin and API (which check a URL and a subscription's allowed CIDRs when
 * they are saved).
 */

/** What kind of address an IP is. Only `public` is reachable without an allowed CIDR; `metadata` and `unspecified` never are. */
export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'reserved';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const b = new net.BlockList();
  for (const [addr, prefix, type] of entries) b.addSubnet(addr, prefix, type);
  return b;
}

function metadataList(): net.BlockList {
  const b = new net.BlockList();
  for (const a of ['169.254.169.254', '169.254.170.2', '100.100.100.200']) b.addAddress(a, 'ipv4');
  b.addAddress('fd00:ec2::254', 'ipv6');
  return b;
}

// Order matters: the first matching class wins. IPv4 rules also match IPv4-mapped IPv6
// (::ffff:a.b.c.d), which net.BlockList handles.
const CLASSES: [AddressClass, net.BlockList][] = [
  ['metadata', metadataList()],
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

const typeOf = (ip: string) => (net.isIP(ip) === 4 ? 'ipv4' : 'ipv6');

/** Classifies an IP address (brackets allowed); throws for anything else. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/^\[|\]$/g, '');
  if (net.isIP(ip) === 0) throw new Error(`not an IP address: ${address}`);
  for (const [cls, blocks] of CLASSES) if (blocks.check(ip, typeOf(ip))) return cls;
  return 'public';
}

/** A parsed CIDR block. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

/**
 * Parses `10.0.0.0/8`, `fd00::/8` or a bare address (a /32 or /128); returns null for
 * anything else. The text is not normalised beyond trimming.
 */
export function parseCidr(text: string): Cidr | null {
  const [addr = '', bits, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const family = net.isIP(addr);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return null;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return null;
  return { address: addr.toLowerCase(), prefix, family: family as 4 | 6 };
}

/** `address/prefix` of a parsed block, the canonical form stored on a subscription. */
export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}

/** A lookup of a subscription's allowed CIDRs (an empty list allows nothing beyond public addresses). */
export function allowListOf(cidrs: readonly string[]): net.BlockList {
  const b = new net.BlockList();
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (c) b.addSubnet(c.address, c.prefix, c.family === 4 ? 'ipv4' : 'ipv6');
  }
  return b;
}

/**
 * Whether a subscription may connect to `address`: public addresses always; cloud metadata
 * and unspecified addresses never; anything else (loopback, private, link-local, reserved,
 * NAT64 and IPv4-mapped forms) only when one of its allowed CIDRs contains it.
 */
export function checkAddress(
  address: string,
  allow: net.BlockList | null,
): { allowed: boolean; class: AddressClass } {
  const ip = address.replace(/^\[|\]$/g, '');
  const cls = classifyAddress(ip);
  if (cls === 'public') return { allowed: true, class: cls };
  if (cls === 'metadata' || cls === 'unspecified') return { allowed: false, class: cls };
  return { allowed: allow?.check(ip, typeOf(ip)) ?? false, class: cls };
}
