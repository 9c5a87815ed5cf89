import { expect, it } from 'vitest';
import { testClusterUrl } from '@3cx-relay/db/testing';
import { securityProbe } from '../../../bench/faults/scenarios/security-probe.js';

it('security probe: relay refuses missing/malformed/revoked keys (401) and wrong scopes (403), SSRF targets refused, admin roles and login throttle hold', async () => {
  const r = await securityProbe.run({ pgUrl: testClusterUrl(), scale: 'test' });
  expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  expect(r.checks.length).toBeGreaterThan(4);
}, 240_000);
