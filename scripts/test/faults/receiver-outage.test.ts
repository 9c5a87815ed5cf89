import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { receiverOutage } from '../../../bench/faults/scenarios/receiver-outage.js';

it('receiver down for the whole retry window: attempts on schedule, disabled once and logged, recover-since delivers all', async () => {
  const r = await receiverOutage.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(5);
}, 240_000);
