import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pollCdrs } from '../../src/sources/db3cx/cdr-poller.js';
import type { CdrCursor } from '../../src/sources/db3cx/cdr-cursor.js';
import { startHarness, type Harness } from './sim-harness.js';

let h: Harness;
let pool: pg.Pool;
let queries = 0;
/** The read-only pool, counting the queries a poll sends to 3CX. */
let counting: pg.Pool;

beforeAll(async () => {
  h = await startHarness('cdrcost');
  pool = new pg.Pool({ connectionString: h.sim.readonlyDbUrl, max: 1 });
  counting = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query')
        return (...a: Parameters<pg.Pool['query']>) => {
          queries++;
          return (target.query as (...x: unknown[]) => unknown)(...a);
        };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
});
afterAll(async () => {
  await pool?.end();
  await h?.stop();
});

const options = { table: 'cdroutput', overlapMs: 3000, quietMs: 200, trunkDids: {} };

it('an idle PBX costs one query per CDR poll (the database clock comes with the empty result); new rows still come', async () => {
  const start: CdrCursor = { endedAt: new Date().toISOString().replace('Z', '000Z'), seen: [], pending: {} };
  queries = 0;
  const idle = await pollCdrs(counting, start, options);
  expect(queries).toBe(1);
  expect(idle.events).toEqual([]);
  expect(idle.cursor.endedAt).toBe(start.endedAt);

  await h.sim.runScenario('internal');
  const busy = await pollCdrs(counting, start, options);
  expect(busy.events.filter((e) => e.type === 'cdr.created').length).toBeGreaterThan(0);
  expect(busy.cursor.endedAt > start.endedAt).toBe(true);
});
