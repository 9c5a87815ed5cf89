import { describe, expect, it } from 'vitest';
import { refreshAt, tokenLifetimeMs } from '../../src/sources/xapi/token-lifetime.js';

describe('tokenLifetimeMs', () => {
  it('reads expires_in below 300 as minutes (3CX up to 20.0.8 sends 60 for one hour)', () => {
    expect(tokenLifetimeMs(60)).toBe(3_600_000);
    expect(tokenLifetimeMs(1)).toBe(60_000);
    expect(tokenLifetimeMs(299)).toBe(299 * 60_000);
  });
  it('reads 300 and above as seconds (20.0.9 and later)', () => {
    expect(tokenLifetimeMs(3600)).toBe(3_600_000);
    expect(tokenLifetimeMs(300)).toBe(300_000);
    expect(tokenLifetimeMs('3600')).toBe(3_600_000);
  });
  it('falls back to 30 minutes for a missing or absurd value', () => {
    expect(tokenLifetimeMs(undefined)).toBe(1_800_000);
    expect(tokenLifetimeMs(-5)).toBe(1_800_000);
  });
  it('refreshes before expiry, never later than the margin', () => {
    expect(refreshAt(0, 3_600_000)).toBe(3_300_000);
    expect(refreshAt(1000, 60_000)).toBe(1000 + 50_000);
    expect(refreshAt(0, 10_000)).toBe(5000);
  });
});
