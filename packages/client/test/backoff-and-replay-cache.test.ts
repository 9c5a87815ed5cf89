import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/stream/backoff.js';
import { MemoryReplayCache } from '../src/index.js';

describe('Backoff', () => {
  it('doubles up to the cap with delays in [d/2, d], honours a floor, and restarts after reset', () => {
    const lowest = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 0);
    expect(Array.from({ length: 6 }, () => lowest.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const highest = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000 }, () => 1);
    expect(Array.from({ length: 6 }, () => highest.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(highest.next(5000)).toBe(5000);
    highest.reset();
    expect(highest.next()).toBe(100);
  });
});

describe('MemoryReplayCache', () => {
  it('forgets an entry after its TTL and never holds more than maxEntries', () => {
    let now = 0;
    const cache = new MemoryReplayCache({ now: () => now, maxEntries: 3 });
    expect(cache.remember('a', 100, 10)).toBe(true);
    expect(cache.remember('a', 100, 10)).toBe(false);
    now = 10_001;
    expect(cache.remember('a', 100, 10)).toBe(true);
    for (const id of ['b', 'c', 'd', 'e']) cache.remember(id, 100, 10);
    expect(cache.size).toBe(3);
    expect(cache.remember('e', 100, 10)).toBe(false);
  });
});
