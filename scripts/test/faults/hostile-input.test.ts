import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { hostileInput } from '../../../bench/faults/scenarios/hostile-input.js';

it('hostile input (malformed frames and responses, port garbage, oversized REST): no crash, no 5xx, RSS bounded, logged once per kind', async () => {
  const r = await hostileInput.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(4);
}, 240_000);
