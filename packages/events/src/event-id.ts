import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 (lower case, no padding). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * The deterministic id of an event: `evt_` + base32(sha256(`type|scope|key`)), cut to 32
 * characters (160 bits). `scope` identifies the call (e.g. the 3CX callid with its epoch, or a
 * call_history_id) and `key` the upstream transition (e.g. `ringing|101|8106`), so the same
 * transition seen again after a reconnect, a reconcile or a restart yields the same id and
 * the event store drops the repeat.
 */
export function eventId(type: string, scope: string, key: string): string {
  const digest = createHash('sha256').update(`${type}|${scope}|${key}`).digest();
  return `evt_${base32(digest).slice(0, 32)}`;
}
