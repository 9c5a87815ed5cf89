import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { crashSafety } from '../../../bench/faults/scenarios/crash-safety.js';

it('kill -9 of the worker three times under load loses no delivery, no WS event and no CDR', async () => {
  const r = await crashSafety.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(5);
}, 240_000);
