import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

/** True for an ISO 3166-1 alpha-2 code whose numbering plan the normalizer knows (`CH`, `DE`, …). */
export function isDidCountry(code: string): boolean {
  return isSupportedCountry(code);
}

/**
 * A DID as a filter matches it: in E.164 (`+41274842020`) when `country` is set and the number
 * is a possible number there, whatever form the trunk delivered (`+41…`, `0041…`, `41…`,
 * national `0274842020`); else unchanged (no country, short or odd DIDs like `383_2318`).
 * Trunks deliver DIDs in many forms ([FIELD] field review §1.11).
 */
export function normalizeDid(raw: string, country: string | undefined): string {
  if (!country) return raw;
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  return parsed?.isPossible() ? parsed.number : raw;
}

/** The filter values of a DID: its normalized form and, when different, the raw one. */
export function didFilterValues(raw: string | null, country: string | undefined): string[] {
  if (!raw) return [];
  const n = normalizeDid(raw, country);
  return n === raw ? [raw] : [n, raw];
}
