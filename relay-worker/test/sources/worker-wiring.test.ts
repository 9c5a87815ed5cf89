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
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 5000, 'callcontrol up');
  });
  afterAll(async () => h?.stop());

  it('writes a heartbeat row with uptime and the figures other modules publish', async () => {
    h.worker!.heartbeat.setStat('wsClients', 3);
    await until(
      async () => {
        const row = await h.db.db().workerHeartbeat.findFirst();
        return (row?.stats as { wsClients?: number } | null)?.wsClients === 3 ? row : undefined;
      },
      3000,
      'heartbeat with wsClients',
    );
    const row = await h.db.db().workerHeartbeat.findFirst();
    expect(row?.stats).toMatchObject({ uptimeSeconds: expect.any(Number), wsClients: 3 });
  });

  it('serves live calls from memory with the DID mapped from the trunk', async () => {
    const run = h.sim.runScenario('ringing-at-connect');
    const call = await until(
      () => h.worker!.sources.callState.activeCalls().find((c) => c.state === 'ringing'),
      3000,
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
    await until(() => h.worker!.sources.callState.activeCalls().length === 0, 3000, 'no active call');
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
      1000,
      'command handled',
    );
    expect(handled).toBe('callcontrol reconnecting');
    await until(() => h.worker!.sources.tokens!.fetchCount > before, 1000, 'fresh token');
    await until(() => h.worker!.status.get('callcontrol')?.status === 'up', 3000, 'callcontrol up again');
    const bad = await h.db
      .db()
      .controlCommand.create({ data: { command: 'reconnect', args: { component: 'modem' } } });
    await h.db
      .db()
      .$executeRawUnsafe(`SELECT pg_notify('relay_control', $1)`, JSON.stringify({ id: String(bad.id) }));
    expect(
      await until(
        async () => (await h.db.db().controlCommand.findUnique({ where: { id: bad.id } }))?.result,
        1000,
        'bad command',
      ),
    ).toMatch(/unknown component/);
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
