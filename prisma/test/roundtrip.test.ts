import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import type { Db } from '../src/client.js';

// Every model round-trips through the generated client on a freshly migrated database.
describe('generated client round-trips every model', () => {
  let t: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    t = await createTestDatabase('rt');
    db = t.db();
  });
  afterAll(() => t.drop());

  it('writes and reads a full graph of every model', async () => {
    const user = await db.adminUser.create({
      data: { email: 'a@example.com', passwordHash: 'x', role: 'admin' },
    });
    expect(user).not.toHaveProperty('passwordHash');
    const withHash = await db.adminUser.findUniqueOrThrow({
      where: { id: user.id },
      omit: { passwordHash: false },
    });
    expect(withHash.passwordHash).toBe('x');

    await db.rateLimit.create({ data: { key: 'login:ip:127.0.0.1', failures: 3, blockedUntil: new Date() } });
    const key = await db.apiKey.create({
      data: { name: 'crm', prefix: 'rk_1', secretHash: 'h', scopes: ['calls:read'], createdById: user.id },
    });
    expect(key).not.toHaveProperty('secretHash');
    await db.apiUsage.create({
      data: {
        apiKeyId: key.id,
        bucket: new Date(),
        route: '/relay/active-calls',
        statusClass: '2xx',
        count: 3,
        totalLatencyMs: 1.5,
      },
    });
    const sub = await db.webhookSubscription.create({
      data: {
        name: 'crm',
        url: 'https://crm.example/hook',
        eventTypes: ['call.ended'],
        extensions: ['101'],
        dids: [],
        queues: [],
        createdById: user.id,
      },
    });
    await db.webhookSecret.create({ data: { subscriptionId: sub.id, ciphertext: 'enc' } });
    expect(sub).toMatchObject({ ordering: 'per-call', timeoutMs: null, rateLimitPerSecond: null });
    const header = await db.webhookHeader.create({
      data: { subscriptionId: sub.id, name: 'authorization', valueCiphertext: 'enc-value' },
    });
    expect(header).not.toHaveProperty('valueCiphertext'); // a secret column: left out unless asked
    await db.deliveryStat.create({
      data: {
        subscriptionId: sub.id,
        bucket: new Date('2026-12-04T17:00:00Z'),
        outcome: '200',
        attempts: 3,
        succeeded: 3,
        latencyHistogram: [1, 2, 0],
      },
    });
    expect(
      (await db.deliveryStat.findMany({ where: { subscriptionId: sub.id } }))[0]!.latencyHistogram,
    ).toEqual([1, 2, 0]);
    const ev = await db.event.create({
      data: {
        id: 'evt_1',
        type: 'call.ended',
        occurredAt: new Date(),
        callId: '1',
        extensions: ['101'],
        dids: [],
        queues: [],
        data: { a: 1 },
      },
    });
    expect(typeof ev.sequence).toBe('bigint');
    const del = await db.delivery.create({ data: { eventSequence: ev.sequence, subscriptionId: sub.id } });
    expect(del.status).toBe('pending');
    await db.deliveryAttempt.create({
      data: {
        deliveryId: del.id,
        attemptNo: 1,
        startedAt: new Date(),
        durationMs: 3.2,
        statusCode: 200,
        succeeded: true,
      },
    });
    await db.errorLog.create({
      data: {
        severity: 'error',
        component: 'xapi',
        message: 'boom',
        details: { x: 1 },
        acknowledgedById: user.id,
        acknowledgedAt: new Date(),
      },
    });
    await db.connectionStatus.create({ data: { component: 'xapi', status: 'up', latencyMs: 12 } });
    await db.componentStatus.create({ data: { component: 'xapi', status: 'degraded', lastError: 'slow' } });
    await db.auditLog.create({
      data: { actorId: user.id, actorEmail: user.email, action: 'login', ip: '127.0.0.1' },
    });
    await db.sourceCursor.create({
      data: { name: 'cdroutput', value: { startedAt: '2026-01-01', cdrId: 'x' } },
    });
    await db.controlCommand.create({
      data: { command: 'reconnect', args: { component: 'xapi' }, requestedById: user.id },
    });
    await db.workerHeartbeat.create({
      data: {
        instanceId: 'w1',
        hostname: 'h',
        pid: 1,
        version: '0.1.0',
        startedAt: new Date(),
        lastSeenAt: new Date(),
        stats: { wsClients: 0 },
      },
    });
    await db.statSample.create({ data: { bucket: new Date(), metric: 'deliveries.ok', value: 5 } });

    const full = await db.adminUser.findUniqueOrThrow({
      where: { id: user.id },
      include: {
        apiKeysCreated: { include: { usage: true } },
        subscriptions: {
          include: { secrets: true, deliveries: { include: { attempts: true, event: true } } },
        },
        acknowledgedErrors: true,
        auditEntries: true,
        controlCommands: true,
      },
    });
    expect(full.apiKeysCreated[0]!.usage[0]!.count).toBe(3);
    expect(full.subscriptions[0]!.secrets[0]).not.toHaveProperty('ciphertext');
    expect(full.subscriptions[0]!.deliveries[0]!.attempts[0]!.statusCode).toBe(200);
    expect(full.subscriptions[0]!.deliveries[0]!.event.data).toEqual({ a: 1 });
    expect(full.acknowledgedErrors).toHaveLength(1);
    expect(full.auditEntries[0]!.action).toBe('login');
    expect(full.controlCommands[0]!.command).toBe('reconnect');
    expect(await db.rateLimit.count()).toBe(1);
    expect(await db.connectionStatus.count()).toBe(1);
    expect((await db.componentStatus.findUniqueOrThrow({ where: { component: 'xapi' } })).status).toBe(
      'degraded',
    );
    expect((await db.sourceCursor.findUniqueOrThrow({ where: { name: 'cdroutput' } })).value).toEqual({
      startedAt: '2026-01-01',
      cdrId: 'x',
    });
    expect(await db.workerHeartbeat.count()).toBe(1);
    expect(await db.statSample.count()).toBe(1);

    // Agent and queue state (issue 19).
    const state = {
      name: 'Ben Carter',
      profileName: 'Away',
      presence: 'away',
      dnd: false,
      queueStatus: 'logged_in',
      registered: true,
      queues: ['800'],
    };
    await db.agentState.create({ data: { extension: '101', since: new Date(), ...state } });
    await db.agentStateHistory.create({
      data: {
        eventId: 'evt_a',
        extension: '101',
        occurredAt: new Date(),
        ...state,
        changed: ['profile'],
        previous: { profileName: 'Available' },
      },
    });
    await db.queueState.create({
      data: {
        queue: '800',
        name: 'Support',
        waiting: 1,
        longestWaitingSince: new Date(),
        agents: 2,
        agentsLoggedIn: 2,
        agentsAvailable: 1,
        answeredToday: 3,
        abandonedToday: 1,
        day: '2026-12-04',
      },
    });
    await db.liveSnapshot.create({ data: { name: 'calls', value: [] } });
    expect((await db.agentState.findUniqueOrThrow({ where: { extension: '101' } })).queues).toEqual(['800']);
    expect((await db.agentStateHistory.findFirstOrThrow()).changed).toEqual(['profile']);
    expect((await db.queueState.findUniqueOrThrow({ where: { queue: '800' } })).waiting).toBe(1);
    expect((await db.liveSnapshot.findUniqueOrThrow({ where: { name: 'calls' } })).value).toEqual([]);

    // Deleting the user keeps history (SET NULL), deleting the subscription cascades.
    await db.webhookSubscription.delete({ where: { id: sub.id } });
    expect(await db.delivery.count()).toBe(0);
    expect(await db.deliveryAttempt.count()).toBe(0);
    await db.adminUser.delete({ where: { id: user.id } });
    expect((await db.auditLog.findFirstOrThrow()).actorId).toBeNull();
  });
});
