import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPbxDbPool, resolvePbxDb } from '../../src/sources/db3cx/pbx-db-pool.js';
import { keyMinus } from '../../src/sources/db3cx/cdr-cursor.js';
import { startHarness, until, type Harness } from './sim-harness.js';

/** Every cdr_id in the simulator's cdroutput, read through the read-only role. */
async function pbxCdrIds(h: Harness): Promise<string[]> {
  const c = new pg.Client({ connectionString: h.sim.readonlyDbUrl });
  await c.connect();
  try {
    return (
      await c.query<{ id: string }>('SELECT cdr_id::text AS id FROM cdroutput ORDER BY cdr_ended_at')
    ).rows.map((r) => r.id);
  } finally {
    await c.end();
  }
}

describe('CDR source', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('cdr', { seed: 11 }, 'owner');
  });
  afterAll(async () => h?.stop());

  it('emits each CDR once across worker restarts and a PBX restart that resets the cdr_id counter', async () => {
    await h.startWorker({ SOURCE_CALLCONTROL_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' });
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
    await Promise.all([h.sim.runScenario('internal'), h.sim.runScenario('inbound-missed')]);
    await until(
      async () => (await h.events("type = 'cdr.created'")).length >= (await pbxCdrIds(h)).length,
      20_000,
      'first CDRs',
    );

    await h.stopWorker();
    await h.sim.runScenario('outbound'); // written while the worker is down
    await h.sim.restart(); // call manager restart: cdr_id counter back to 1, ids no longer ordered
    expect(h.sim.state().cdrCounter).toBeLessThan(5);
    await h.sim.runScenario('inbound-queue-answered');

    await h.startWorker({ SOURCE_CALLCONTROL_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' });
    await h.sim.runScenario('internal');
    const all = await pbxCdrIds(h);
    await until(
      async () => (await h.events("type = 'cdr.created'")).length >= all.length,
      20_000,
      'all CDRs',
    );
    await new Promise((r) => setTimeout(r, 1500)); // another poll or two: nothing more may come
    const emitted = (await h.events("type = 'cdr.created'")).map((e) => e.data.cdrId as string);
    expect(new Set(emitted).size).toBe(emitted.length); // no duplicate
    expect([...emitted].sort()).toEqual([...all].sort()); // no gap
    const flows = new Set((await h.events("type = 'cdr.created'")).map((e) => e.call_history_id));
    await until(
      async () => (await h.events("type = 'call.completed'")).length >= flows.size,
      20_000,
      'every flow completed',
    );
    expect((await h.events("type = 'call.completed'")).length).toBe(flows.size);
    const cursor = await h.db.db().sourceCursor.findUnique({ where: { name: 'db3cx:cdroutput' } });
    expect(cursor?.value).toMatchObject({
      endedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
  });

  it('never writes to database_single: the read-only session refuses writes and the role has no write grant', async () => {
    const resolved = resolvePbxDb({
      PBX_INI_PATH: h.sim.iniPath,
      PBX_DB_HOST: '127.0.0.1',
      PBX_DB_STATEMENT_TIMEOUT_MS: 5000,
    });
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.config.user).toBe(h.sim.readonlyRole);
    const pool = createPbxDbPool(resolved.config, 5000, pino({ level: 'silent' }));
    try {
      const s = await pool.query<{ ro: string; timeout: string; ins: boolean }>(
        "SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS timeout, has_table_privilege(current_user, 'cdroutput', 'INSERT') AS ins",
      );
      expect(s.rows[0]).toEqual({ ro: 'on', timeout: '5s', ins: false });
      await expect(
        pool.query("DELETE FROM cdroutput WHERE cdr_id = '00000000-0000-0000-0000-000000000000'"),
      ).rejects.toThrow(/read-only transaction/);
    } finally {
      await pool.end();
    }
  });

  it('reports the database down and recovers when it comes back', async () => {
    await h.startWorker({ SOURCE_CALLCONTROL_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' });
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
    await h.sim.faults.set({ dbDown: true });
    await until(() => h.worker!.status.get('db3cx')?.status === 'down', 20_000, 'db3cx down');
    const s = await h.sim.runScenario('internal'); // written to the backlog, flushed when the DB is back
    await h.sim.faults.clear();
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up again');
    await until(
      async () =>
        (await h.events("type = 'call.completed' AND call_history_id = $1", [s.callHistoryId])).length,
      20_000,
      'flow after outage',
    );
    expect(await h.db.db().errorLog.count({ where: { code: 'CDR_QUERY_FAILED' } })).toBeGreaterThan(0);
  });

  it("a failure of the relay's own event log is not reported as 3CX down, and loses no CDR", async () => {
    await h.startWorker({ SOURCE_CALLCONTROL_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' });
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
    const before = await pbxCdrIds(h);
    await until(
      async () => (await h.events("type = 'cdr.created'")).length >= before.length,
      20_000,
      'CDRs so far',
    );
    const [{ sequence: last = '0' } = {}] = (await h.events()).slice(-1);
    const own = new pg.Client({ connectionString: h.db.url });
    await own.connect();
    const states: string[] = [];
    const listener = (c: { component: string; to: string }) => {
      if (c.component === 'db3cx') states.push(c.to);
    };
    h.worker!.status.onChange(listener);
    try {
      // Only the event log fails (the error feed and status tables still work, so both can be checked).
      await own.query('ALTER TABLE events RENAME TO events_away');
      const s = await h.sim.runScenario('internal');
      await until(
        async () => (await h.db.db().errorLog.count({ where: { code: 'CDR_STORE_FAILED' } })) > 0,
        20_000,
        'CDR_STORE_FAILED logged',
      );
      const row = await h.db.db().errorLog.findFirst({ where: { code: 'CDR_STORE_FAILED' } });
      expect(row).toMatchObject({ component: 'database', severity: 'error' });
      expect(row!.message).toMatch(/relay's database failed \(3CX was read fine; retried\)/);
      expect(h.worker!.status.get('db3cx')?.status).toBe('up');
      await own.query('ALTER TABLE events_away RENAME TO events');
      await until(
        async () =>
          (await h.events("type = 'call.completed' AND call_history_id = $1", [s.callHistoryId])).length,
        20_000,
        'flow after the event log is back',
      );
      const all = await pbxCdrIds(h);
      await until(
        async () => (await h.events("type = 'cdr.created'")).length >= all.length,
        20_000,
        'all CDRs',
      );
      const emitted = (await h.events("type = 'cdr.created'")).map((e) => e.data.cdrId as string);
      expect(new Set(emitted).size).toBe(emitted.length);
      expect([...emitted].sort()).toEqual([...all].sort());
      expect(states).not.toContain('down');
      expect(
        await h.db.db().errorLog.count({
          where: { component: 'db3cx', code: 'CDR_QUERY_FAILED', occurredAt: { gt: row!.occurredAt } },
        }),
      ).toBe(0);
      expect(await h.events("type = 'relay.status_changed' AND sequence > $1::bigint", [last])).toEqual([]);
    } finally {
      await own.query('ALTER TABLE IF EXISTS events_away RENAME TO events').catch(() => undefined);
      await own.end();
    }
  });
});

/** Runs SQL in a superuser session on the simulator's database: deletes rows as 3CX's purge would (or changes them). */
async function pbxSuperuser(h: Harness, sql: string, params: unknown[]): Promise<number> {
  const u = new URL(process.env.RELAY_TEST_PG_URL!);
  u.pathname = `/${h.sim.dbName}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return (await c.query(sql, params)).rowCount ?? 0;
  } finally {
    await c.end();
  }
}

const completedOf = async (h: Harness, chid: string) =>
  (await h.events("type = 'call.completed' AND call_history_id = $1", [chid]))[0];

// 3CX deletes cdroutput rows: the Data Connector with PurgeAfterSync, PurgeCalls, retention
// (field review §1.6). The relay must neither stall nor hold a call.completed forever.
describe('purged CDR rows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('purge', { seed: 13 }, 'owner');
  });
  afterAll(async () => h?.stop());
  const cdrOnly = { SOURCE_CALLCONTROL_ENABLED: 'false', SOURCE_XAPI_ENABLED: 'false' };

  it('the cursor moves on past rows the Data Connector deleted (PurgeAfterSync); later calls come through', async () => {
    await h.startWorker(cdrOnly);
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
    await h.sim.faults.set({ dataConnector: { afterMs: 0, purgeAfterSync: true } });
    await Promise.all([h.sim.runScenario('internal'), h.sim.runScenario('outbound')]);
    await until(() => h.sim.state().cdrsPurged >= 2, 20_000, 'rows purged');
    await h.sim.faults.set({ dataConnector: { afterMs: 0, purgeAfterSync: false } });
    const kept = await h.sim.runScenario('inbound-missed');
    await h.sim.faults.clear();
    const after = await h.sim.runScenario('internal');
    const c = await until(
      () => completedOf(h, after.callHistoryId!),
      20_000,
      'call.completed after the purge',
    );
    expect(c.data.partial).toBe(false);
    // Rows with an offload_id (synced, not purged) read like any other.
    expect(
      (await until(() => completedOf(h, kept.callHistoryId!), 20_000, 'offloaded flow')).data,
    ).toMatchObject({
      disposition: 'missed',
      partial: false,
    });
    expect(h.worker!.status.get('db3cx')?.status).toBe('up');
  });

  it('a flow whose rows 3CX purged after the relay read them still gets its call.completed', async () => {
    // A long quiet period: the rows are gone before the flow is summarized.
    await h.startWorker({ ...cdrOnly, CDR_FLOW_QUIET_MS: '3000' });
    await until(() => h.worker!.status.get('db3cx')?.status === 'up', 20_000, 'db3cx up');
    const s = await h.sim.runScenario('inbound-queue-answered');
    const chid = s.callHistoryId!;
    await until(
      async () => (await h.events("type = 'cdr.created' AND call_history_id = $1", [chid])).length,
      20_000,
      'rows read',
    );
    expect(await completedOf(h, chid)).toBeUndefined();
    expect(await pbxSuperuser(h, 'DELETE FROM cdroutput WHERE call_history_id = $1', [chid])).toBe(
      s.cdrIds!.length,
    );
    const c = await until(() => completedOf(h, chid), 20_000, 'call.completed of the purged flow');
    expect(c.data).toMatchObject({ disposition: 'answered', answeredBy: s.answeredBy, partial: false });
    expect(c.data.cdrIds).toHaveLength(s.cdrIds!.length);
  });

  it('a flow with rows missing gets call.completed partial: true after CDR_PARTIAL_FLOW_WAIT_MS, not after 2 hours', async () => {
    await h.stopWorker();
    const s = await h.sim.runScenario('inbound-queue-answered');
    const chid = s.callHistoryId!;
    // Purged before the relay saw it: the queue row, which the IVR row continues in and the polls branch from.
    expect(
      await pbxSuperuser(
        h,
        "DELETE FROM cdroutput WHERE call_history_id = $1 AND destination_entity_type = 'queue'",
        [chid],
      ),
    ).toBe(1);
    await h.startWorker({ ...cdrOnly, CDR_PARTIAL_FLOW_WAIT_MS: '500' });
    const c = await until(() => completedOf(h, chid), 20_000, 'partial call.completed');
    expect(c.data).toMatchObject({
      partial: true,
      disposition: 'answered',
      answeredBy: s.answeredBy,
      queue: null,
      did: '32655144',
    });
    expect(c.data.cdrIds).toHaveLength(s.cdrIds!.length - 1);
  });

  it("without the inbound_routing row (purged) the DID is the trunk side's trunk_did, else PBX_TRUNK_DIDS", async () => {
    await h.stopWorker();
    // DID 32655145 on trunk 10007, which the harness's PBX_TRUNK_DIDS maps to 32655144.
    const withTrunkDid = (await h.sim.runScenario('inbound-missed')).callHistoryId!;
    const bare = (await h.sim.runScenario('inbound-missed')).callHistoryId!;
    for (const chid of [withTrunkDid, bare])
      expect(
        await pbxSuperuser(
          h,
          "DELETE FROM cdroutput WHERE call_history_id = $1 AND destination_entity_type = 'inbound_routing'",
          [chid],
        ),
      ).toBe(1);
    // A trunk that fills no trunk_did: only the configured map is left.
    await pbxSuperuser(
      h,
      'UPDATE cdroutput SET source_participant_trunk_did = NULL WHERE call_history_id = $1',
      [bare],
    );
    await h.startWorker({ ...cdrOnly, CDR_PARTIAL_FLOW_WAIT_MS: '500' });
    for (const [chid, did] of [
      [withTrunkDid, '32655145'],
      [bare, '32655144'],
    ] as const) {
      const c = await until(() => completedOf(h, chid), 20_000, 'call.completed without the DID row');
      expect(c.data, did).toMatchObject({
        direction: 'inbound',
        caller: { dn: '10007', kind: 'external' },
        did,
        didRaw: did,
        disposition: 'missed',
        partial: true,
      });
      expect(c.dids, did).toEqual([did]);
    }
  });
});

describe('keyMinus', () => {
  it('subtracts milliseconds from a microsecond timestamp key', () => {
    expect(keyMinus('2026-01-10T09:15:00.000250Z', 1)).toBe('2026-01-10T09:14:59.999250Z');
    expect(keyMinus('2026-01-10T09:15:03.500000Z', 5000)).toBe('2026-01-10T09:14:58.500000Z');
  });
});
