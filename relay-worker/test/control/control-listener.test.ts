import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import { CONTROL_CHANNEL, ControlListener } from '../../src/control/control-listener.js';

describe('ControlListener', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    t = await createTestDatabase('control');
    pool = new pg.Pool({ connectionString: t.url, max: 3 });
  });
  afterAll(async () => {
    await pool.end();
    await t.drop();
  });

  async function command(cmd: string, args: object, notify = true): Promise<string> {
    const r = await pool.query<{ id: string }>(
      'INSERT INTO control_commands (command, args) VALUES ($1, $2) RETURNING id::text',
      [cmd, JSON.stringify(args)],
    );
    const id = r.rows[0]!.id;
    if (notify)
      await pool.query('SELECT pg_notify($1, $2)', [
        CONTROL_CHANNEL,
        JSON.stringify({ id, command: cmd, args }),
      ]);
    return id;
  }
  const rowOf = async (id: string) =>
    (await pool.query('SELECT handled_at, result FROM control_commands WHERE id = $1', [id])).rows[0];

  it('runs rows left from before the start, then NOTIFYed ones, each once, recording the result', async () => {
    const calls: unknown[] = [];
    const early = await command('reconnect', { component: 'db3cx' }, false);
    const l = new ControlListener({ databaseUrl: t.url, rescanMs: 50 }, pino({ level: 'silent' }));
    l.on('reconnect', (args) => {
      calls.push(args);
      return Promise.resolve(`reconnecting ${String(args.component)}`);
    });
    await l.start();
    expect(await rowOf(early)).toMatchObject({ result: 'reconnecting db3cx' });
    const live = await command('reconnect', { component: 'xapi' });
    await expect.poll(async () => (await rowOf(live))?.result, { timeout: 10_000 }).toBe('reconnecting xapi');
    await new Promise((r) => setTimeout(r, 150)); // a rescan must not run it again
    expect(calls).toEqual([{ component: 'db3cx' }, { component: 'xapi' }]);
    const unknown = await command('self-destruct', {});
    await expect
      .poll(async () => (await rowOf(unknown))?.result, { timeout: 10_000 })
      .toMatch(/^error: unknown command/);
    await l.stop();
  });

  it('listens again after its connection is killed', async () => {
    const l = new ControlListener(
      { databaseUrl: t.url, rescanMs: 60_000, reconnectBaseMs: 20 },
      pino({ level: 'silent' }),
    );
    let n = 0;
    l.on('ping', () => {
      n++;
      return Promise.resolve();
    });
    await l.start();
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '3cx-relay-control' AND datname = current_database()`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const id = await command('ping', {});
    await expect.poll(async () => (await rowOf(id))?.result, { timeout: 20_000 }).toBe('ok');
    expect(n).toBe(1);
    await l.stop();
  });
});
