import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { StatusBoard } from '../../src/status/status-board.js';
import { XapiSource } from '../../src/sources/xapi/xapi-source.js';
import type { XapiClient } from '../../src/sources/xapi/xapi-client.js';
import { PbxError } from '../../src/sources/pbx-error.js';
import type { PbxLicence } from '../../src/sources/xapi/pbx-licence.js';
import { silent } from '../delivery/harness.js';

describe('XAPI status details', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('xapilicence');
    pool = new pg.Pool({ connectionString: t.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.drop();
  });

  it('name the licence the probe learnt: GetLicenseParameters missing, no token held until the probe fetched one', async () => {
    const board = new StatusBoard(pool, silent);
    // What the worker had when a 20.0.x build without GetLicenseParameters was probed while Call
    // Control was renewing the shared token: nothing before the probe, the token's roles after.
    let known: PbxLicence | undefined;
    const licence = {
      refresh: () => Promise.resolve(undefined),
      get current() {
        return known;
      },
    };
    const client = {
      probe: () => {
        known = { edition: 'professional', productCode: null, maintenanceExpired: null, source: 'token' };
        return Promise.reject(
          new PbxError(
            'LICENSE',
            "licence reason: this 3CX is Professional, from the API token's roles",
            403,
          ),
        );
      },
      getCallHistory: () => Promise.resolve([]),
    } as unknown as XapiClient;
    const source = new XapiSource(
      {
        client,
        status: board,
        intervalMs: 60_000,
        degradedLatencyMs: 1000,
        invalidateToken: () => {},
        licence,
      },
      silent,
    );
    await source.probe();
    expect(board.get('xapi')?.status).toBe('down');
    expect(board.get('xapi')?.details).toEqual({ licence: "Professional, from the API token's roles" });
  });
});
