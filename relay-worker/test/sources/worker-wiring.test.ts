import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../../src/config.js';
import { startWorker } from '../../src/main.js';
import { startHarness, until, type Harness } from './sim-harness.js';

describe('worker input half, wired', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('wire', { seed: 5 });
    await h.startWorker();
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up');
  });
  afterAll(async () => h?.stop());

  it('writes a heartbeat row with uptime and the figures other modules publish', async () => {
    h.worker!.heartbeat.setStat('wsClients', 3);
    await until(
      async () => {
        const row = await h.db.db().workerHeartbeat.findFirst();
        return (row?.stats as { wsClients?: number } | null)?.wsClients === 3 ? row : undefined;
      },
      20_000,
      'heartbeat with wsClients',
    );
    const row = await h.db.db().workerHeartbeat.findFirst();
    expect(row?.stats).toMatchObject({ uptimeSeconds: expect.any(Number), wsClients: 3 });
  });

  it('serves live calls from memory with the DID mapped from the trunk', async () => {
    const run = h.sim.runScenario('ringing-at-connect');
    const call = await until(
      () => h.worker!.sources.callState.activeCalls().find((c) => c.state === 'ringing'),
      20_000,
      'ringing call',
    );
    expect(call).toMatchObject({
      direction: 'inbound',
      did: '32655144',
      extensions: ['100'],
      caller: { kind: 'external' },
      answeredAt: null,
    });
    expect(call.participants[0]).toMatchObject({ dn: '100', status: 'Ringing' });
    await run;
    await until(() => h.worker!.sources.callState.activeCalls().length === 0, 20_000, 'no active call');
  });

  it('acts on a reconnect command for Call Control within a second', async () => {
    const before = h.worker!.sources.tokens!.fetchCount;
    const row = await h.db
      .db()
      .controlCommand.create({ data: { command: 'reconnect', args: { component: 'callcontrol' } } });
    await h.db
      .db()
      .$executeRawUnsafe(
        `SELECT pg_notify('relay_control', $1)`,
        JSON.stringify({ id: String(row.id), command: 'reconnect', args: { component: 'callcontrol' } }),
      );
    const handled = await until(
      async () => (await h.db.db().controlCommand.findUnique({ where: { id: row.id } }))?.result,
      20_000,
      'command handled',
    );
    expect(handled).toBe('callcontrol reconnecting');
    await until(() => h.worker!.sources.tokens!.fetchCount > before, 20_000, 'fresh token');
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 20_000, 'callcontrol up again');
    const bad = await h.db
      .db()
      .controlCommand.create({ data: { command: 'reconnect', args: { component: 'modem' } } });
    await h.db
      .db()
      .$executeRawUnsafe(`SELECT pg_notify('relay_control', $1)`, JSON.stringify({ id: String(bad.id) }));
    expect(
      await until(
        async () => (await h.db.db().controlCommand.findUnique({ where: { id: bad.id } }))?.result,
        20_000,
        'bad command',
      ),
    ).toMatch(/unknown component/);
  });
});

describe('two workers on one database', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('twin', { seed: 6 });
  });
  afterAll(async () => h?.stop());

  it('each logs WORKER_DUPLICATE when both read 3CX with the same API client, naming the other', async () => {
    const first = await h.startWorker({ RELAY_INSTANCE_ID: 'first' });
    const second = await startWorker(
      { ...first.config, RELAY_PORT: 0, RELAY_INSTANCE_ID: 'second' },
      pino({ level: 'silent' }),
    );
    try {
      const logged = () =>
        h.db.db().errorLog.findMany({ where: { code: 'WORKER_DUPLICATE' }, orderBy: { id: 'asc' } });
      await until(async () => (await logged()).length >= 2, 20_000, 'both report the other');
      await new Promise((r) => setTimeout(r, 600)); // more beats: still one entry each
      const rows = await logged();
      expect(rows).toHaveLength(2);
      expect(rows.map((r) => (r.details as { instanceId: string }).instanceId).sort()).toEqual([
        'first',
        'second',
      ]);
      expect(rows[0]).toMatchObject({ component: 'worker', severity: 'error' });
      expect(rows[0]!.message).toMatch(/same API client .*one active token per client/);
    } finally {
      await second.stop();
    }
  });

  it('a worker started after another stopped, or one with its own API client, logs nothing', async () => {
    await h.db.db().errorLog.deleteMany({ where: { code: 'WORKER_DUPLICATE' } });
    await h.startWorker({ RELAY_INSTANCE_ID: 'third' }); // stops 'first' first
    const own = await startWorker(
      {
        ...h.worker!.config,
        RELAY_PORT: 0,
        RELAY_INSTANCE_ID: 'fourth',
        SOURCE_XAPI_ENABLED: false,
        SOURCE_CALLCONTROL_ENABLED: false,
      },
      pino({ level: 'silent' }),
    );
    try {
      await new Promise((r) => setTimeout(r, 1000)); // five beats each
      expect(await h.db.db().errorLog.count({ where: { code: 'WORKER_DUPLICATE' } })).toBe(0);
    } finally {
      await own.stop();
    }
  });
});

describe('worker without a PBX configured', () => {
  it('runs with every source disabled', async () => {
    const t = await createTestDatabase('nopbx');
    const w = await startWorker(
      loadConfig({ DATABASE_URL: t.url, RELAY_PORT: '0', PBX_INI_PATH: '/nonexistent/3CXPhoneSystem.ini' }),
      pino({ level: 'silent' }),
    );
    try {
      expect(w.status.get('xapi')?.status).toBe('disabled');
      expect(w.status.get('callcontrol')?.status).toBe('disabled');
      expect(w.status.get('db3cx')).toMatchObject({
        status: 'disabled',
        lastError: expect.stringMatching(/ini not found/),
      });
      expect(w.sources.callState.activeCalls()).toEqual([]);
    } finally {
      await w.stop();
      await t.drop();
    }
  });
});
