import type { Party } from '@3cx-relay/events';

/** Longest all-digit token read as a PBX DN; longer numbers (and any with `+`) are outside numbers. */
export const MAX_DN_DIGITS = 6;

const NUMBER = /^\+?[\d*#]+$/;
const DN = new RegExp(`^\\d{1,${MAX_DN_DIGITS}}$`);

/** A number as a party: a short all-digit one is a DN (kind unknown), anything else is external. */
function numberParty(number: string, name: string | null): Party {
  return DN.test(number)
    ? { number, name, dn: number, kind: 'unknown' }
    : { number, name, dn: null, kind: 'external' };
}

/**
 * Reads an XAPI `ActiveCalls` `Caller`/`Callee` display string, which 3CX formats as "DN Name"
 * ("101 John Smith"), a bare number ("0123456789") or a bare name ("Voicemail Menu"):
 * - "DN Name" → `{ number: DN, dn: DN, name }`; a bare short number → `{ number, dn: number }`.
 *   The kind is `unknown`: the text does not say extension, queue or IVR.
 * - a number with `+` or more than {@link MAX_DN_DIGITS} digits → `{ number, dn: null, kind: 'external' }`,
 *   with the rest of the text as its name if there is one.
 * - anything else → a name only. Null, blank or not a string → null.
 */
export function parsePartyDisplay(text: unknown): Party | null {
  if (typeof text !== 'string') return null;
  const t = text.trim().replace(/\s+/g, ' ');
  if (!t) return null;
  if (NUMBER.test(t)) return numberParty(t, null);
  const space = t.indexOf(' ');
  const head = space > 0 ? t.slice(0, space) : '';
  if (NUMBER.test(head)) return numberParty(head, t.slice(space + 1));
  return { number: null, name: t, dn: null, kind: 'unknown' };
}
