import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { pbxFaults } from '../../../bench/faults/scenarios/pbx-faults.js';

it('PBX faults (WS drops, revoked token, XAPI 500/slow, 3CX DB stopped and hung; $top ≤ 100, queue/IVR monitored): no missed or duplicated call.ended, degraded then recovered, no CDR gap or duplicate', async () => {
  const r = await pbxFaults.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(5);
}, 240_000);
