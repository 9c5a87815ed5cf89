import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { allowListOf, checkAddress, type AddressClass } from '@3cx-relay/events';

/**
 * SSRF guard for webhook targets. The check runs inside the connection's own DNS lookup, so
 * the address that was checked is the address that is dialled (no DNS-rebinding window
 * between a check and a second resolution). IP literals, which skip lookup, are checked
 * before connecting. Public addresses are always allowed, cloud metadata and unspecified
 * addresses never, anything else only inside one of the subscription's allowed CIDRs
 * (`@3cx-relay/events` `checkAddress`, shared with the admin's check of a URL).
 */

export { classifyAddress, type AddressClass } from '@3cx-relay/events';

/** The allow list of a subscription's CIDRs, or null when it has none (public addresses only). */
export function allowListFor(cidrs: readonly string[]): net.BlockList | null {
  return cidrs.length ? allowListOf(cidrs) : null;
}

export { checkAddress };

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
      `refused to connect to ${host} (${address}: ${addressClass} address; list a CIDR containing it in the subscription's allowed private networks to permit it)`,
    );
  }
}

/** A `lookup` for net.connect that resolves, then refuses if any resolved address is not allowed. */
export function guardedLookup(
  allow: net.BlockList | null,
  resolve: typeof dns.lookup = dns.lookup,
): LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const list = addresses;
      for (const a of list) {
        const verdict = checkAddress(a.address, allow);
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
  allow: net.BlockList | null,
  opts: { timeoutMs?: number; resolve?: typeof dns.lookup } = {},
): buildConnector.connector {
  const options: buildConnector.BuildOptions & { lookup: LookupFunction } = {
    timeout: opts.timeoutMs ?? 10_000,
    lookup: guardedLookup(allow, opts.resolve),
  };
  const base = buildConnector(options);
  return (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      const verdict = checkAddress(host, allow);
      if (!verdict.allowed) {
        callback(new SsrfBlockedError(host, host, verdict.class), null);
        return;
      }
    }
    base(options, callback);
  };
}
