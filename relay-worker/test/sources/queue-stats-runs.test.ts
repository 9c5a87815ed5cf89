import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/event-store.js';
import type { Logger } from '../../src/logger.js';
import { QueueStatsSource } from '../../src/sources/agents/queue-stats-source.js';
import { until } from './sim-harness.js';

const quiet = { warn() {}, info() {}, debug() {}, error() {} } as unknown as Logger;
let source: QueueStatsSource | undefined;
afterEach(async () => source?.stop());

it('call events in every append do not each recompute the queue figures: runs they ask for are at least 100 ms apart, and the last one still runs', async () => {
  const events = new EventEmitter<{ appended: [StoredEvent[]] }>();
  const runs: number[] = [];
  source = new QueueStatsSource(
    {
      // Each run maps the live calls once: count the runs here.
      calls: () => {
        runs.push(performance.now());
        return [];
      },
      agents: undefined,
      events,
      append: () => Promise.resolve(undefined),
      // No database: the figures start from zero (the source says so and goes on).
      pool: { query: () => Promise.reject(new Error('no database here')) } as unknown as pg.Pool,
      timeZone: 'UTC',
      minIntervalMs: 1000,
      tickMs: 3_600_000,
    },
    quiet,
  );
  await source.start();
  const first = performance.now();
  runs.length = 0;
  let lastAppend = 0;
  for (let i = 0; i < 50; i++) {
    const e = {
      type: 'call.ringing',
      callId: String(i),
      occurredAt: new Date(),
      queues: [],
      data: {},
    } as unknown as StoredEvent;
    lastAppend = performance.now();
    events.emit('appended', [e]);
    await new Promise((r) => setImmediate(r));
  }
  await until(() => runs.some((t) => t >= lastAppend), 10_000, 'a run after the last append');
  const elapsed = runs.at(-1)! - first;
  expect(runs.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
});
