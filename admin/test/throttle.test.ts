import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../src/lib/live/throttle.js';

describe('throttle (live "calls" signal)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first trigger at once and collapses a burst into one trailing run', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t.trigger();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(40);
      t.trigger();
    }
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('never runs more than once per interval under a steady stream', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    for (let ms = 0; ms < 10_000; ms += 50) {
      t.trigger();
      vi.advanceTimersByTime(50);
    }
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(fn.mock.calls.length).toBeLessThanOrEqual(11);
  });

  it('cancel drops a pending trailing run', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t.trigger();
    t.trigger();
    t.cancel();
    vi.advanceTimersByTime(2000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
