import { createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { VerificationKey } from './verification-keys.js';

// A header is a short list (one entry per active sender key); bound the work an attacker can cause.
const MAX_ENTRIES = 16;

/**
 * Whether any `v1,`/`v1a,` entry of a `webhook-signature` header is a valid signature of
 * `id.timestamp.body` under any key. HMACs are compared in constant time on the decoded
 * bytes; the body is used as raw bytes, never re-encoded.
 */
export function matchSignature(
  keys: readonly VerificationKey[],
  id: string,
  timestamp: string,
  body: Buffer,
  header: string,
): boolean {
  const entries = header
    .split(' ')
    .filter(Boolean)
    .slice(0, MAX_ENTRIES)
    .map((entry) => {
      const comma = entry.indexOf(',');
      return comma < 0
        ? null
        : { scheme: entry.slice(0, comma), sig: Buffer.from(entry.slice(comma + 1), 'base64') };
    });
  const prefix = Buffer.from(`${id}.${timestamp}.`);
  let signed: Buffer | undefined;
  for (const k of keys) {
    if (k.scheme === 'v1') {
      const expected = createHmac('sha256', k.key).update(prefix).update(body).digest();
      for (const e of entries) {
        if (e?.scheme === 'v1' && e.sig.length === expected.length && timingSafeEqual(e.sig, expected))
          return true;
      }
    } else {
      signed ??= Buffer.concat([prefix, body]);
      for (const e of entries) {
        if (e?.scheme === 'v1a' && e.sig.length === 64 && verify(null, signed, k.key, e.sig)) return true;
      }
    }
  }
  return false;
}
