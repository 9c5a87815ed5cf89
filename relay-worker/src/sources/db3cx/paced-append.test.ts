import { describe, expect, it } from 'vitest';
import type { NewEvent } from '@3cx-relay/events';
import { APPEND_CHUNK, PACE_FACTOR, appendPaced } from './paced-append.js';

const events = (n: number): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    type: 'cdr.created',
    occurredAt: new Date(0),
    extensions: [],
    dids: [],
    queues: [],
    data: {},
  })) as unknown as NewEvent[];

/** A fake clock: each append takes `appendMs`, each pause the time it asks for. */
function world(appendMs: number) {
  let clock = 0;
  const log: string[] = [];
  const chunks: NewEvent[][] = [];
  return {
    chunks,
    log,
    append: (e: NewEvent[]) => {
      chunks.push(e);
      log.push(`append ${e.length}`);
      clock += appendMs;
      return Promise.resolve();
    },
    opts: (budgetMs: number) => ({
      budgetMs,
      now: () => clock,
      sleep: (ms: number) => {
        log.push(`pause ${ms}`);
        clock += ms;
        return Promise.resolve();
      },
    }),
  };
}

describe('appendPaced', () => {
  it('appends every event once, in order, in chunks, pausing a multiple of each chunk’s time between them', async () => {
    const w = world(5);
    const all = events(APPEND_CHUNK * 3 + 7);
    const pauses = await appendPaced(w.append, all, w.opts(1000));
    expect(w.chunks.map((c) => c.length)).toEqual([APPEND_CHUNK, APPEND_CHUNK, APPEND_CHUNK, 7]);
    expect(w.chunks.flat().map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(pauses).toEqual([5 * PACE_FACTOR, 5 * PACE_FACTOR, 5 * PACE_FACTOR]);
    expect(w.log).toEqual([
      `append ${APPEND_CHUNK}`,
      `pause ${5 * PACE_FACTOR}`,
      `append ${APPEND_CHUNK}`,
      `pause ${5 * PACE_FACTOR}`,
      `append ${APPEND_CHUNK}`,
      `pause ${5 * PACE_FACTOR}`,
      'append 7',
    ]);
  });

  it('never pauses more than the budget in total, sharing what is left among the chunks to come', async () => {
    const w = world(40); // slow appends: 3 × 40 ms per chunk would be 1.08 s for 10 chunks
    const pauses = await appendPaced(w.append, events(APPEND_CHUNK * 10), w.opts(500));
    expect(pauses).toHaveLength(9);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(500 + 1e-9);
    expect(pauses[0]).toBeCloseTo(500 / 9);
    expect(w.chunks).toHaveLength(10);
  });

  it('does not pause after the last chunk, nor at all for a poll of one chunk', async () => {
    const w = world(10);
    expect(await appendPaced(w.append, events(APPEND_CHUNK), w.opts(500))).toEqual([]);
    expect(await appendPaced(w.append, [], w.opts(500))).toEqual([]);
    expect(w.log).toEqual([`append ${APPEND_CHUNK}`]);
  });
});
