import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { ownDbRestart } from '../../../bench/faults/scenarios/own-db-restart.js';

it("relay's own PostgreSQL killed and restarted mid-load: worker reconnects unattended, no event, delivery or call.ended lost", async () => {
  const r = await ownDbRestart.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(4);
}, 240_000);
