import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { loadConfig } from '../../src/config.js';
import { runCommand } from '../../src/ops/commands/run-command.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('cli_reset');
});
afterAll(async () => {
  await t.drop();
});

it('3cx-relay reset-password lifts the sign-in blocks of the account from every client and ends its sessions', async () => {
  const config = loadConfig({ DATABASE_URL: t.url });
  const out: string[] = [];
  expect(await runCommand('create-admin', config, { ifNone: true }, (s) => out.push(s))).toBe(0);
  const db = t.db();
  const admin = await db.adminUser.findFirstOrThrow({ where: { role: 'admin' } });
  const future = new Date(Date.now() + 15 * 60_000);
  await db.rateLimit.createMany({
    data: [
      { key: `login:account-client:${admin.email}|203.0.113.5`, failures: 9, blockedUntil: future },
      { key: `login:account-client:${admin.email}|198.51.100.1`, failures: 5, blockedUntil: future },
      { key: 'login:account-client:someone@else|203.0.113.5', failures: 5, blockedUntil: future },
    ],
  });
  const session = await db.adminSession.create({
    data: { userId: admin.id, expiresAt: future },
  });
  expect(await runCommand('reset-password', config, { email: admin.email }, (s) => out.push(s))).toBe(0);
  expect((await db.rateLimit.findMany({ select: { key: true } })).map((r) => r.key)).toEqual([
    'login:account-client:someone@else|203.0.113.5',
  ]);
  expect((await db.adminSession.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).not.toBeNull();
});
