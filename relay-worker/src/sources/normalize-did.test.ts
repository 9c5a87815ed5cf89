import { describe, expect, it } from 'vitest';
import { didFilterValues, normalizeDid } from './normalize-did.js';

describe('normalizeDid', () => {
  it('gives the E.164 form of every form a Swiss trunk delivers (field review §1.11)', () => {
    for (const raw of ['+41274842020', '0041274842020', '41274842020', '0274842020'])
      expect(normalizeDid(raw, 'CH'), raw).toBe('+41274842020');
  });

  it('leaves a DID unchanged without a country, and when it is no possible number there', () => {
    expect(normalizeDid('0274842020', undefined)).toBe('0274842020');
    expect(normalizeDid('32655144', 'CH')).toBe('32655144');
    expect(normalizeDid('383_2318', 'CH')).toBe('383_2318');
    expect(normalizeDid('046', 'CH')).toBe('046');
  });

  it('filter values: the E.164 form and, when different, the raw one', () => {
    expect(didFilterValues('0274842020', 'CH')).toEqual(['+41274842020', '0274842020']);
    expect(didFilterValues('+41274842020', 'CH')).toEqual(['+41274842020']);
    expect(didFilterValues(null, 'CH')).toEqual([]);
  });
});
