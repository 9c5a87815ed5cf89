import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@3cx-relay/db/testing';
import {
  ENCRYPTION_KEY,
  Receiver,
  createSubscription,
  orderReport,
  startHarness,
  waitFor,
  type Harness,
} from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The delivery worker fixture in its own process (so SIGKILL hits it and nothing else). */
class ChildWorker {
  private seq = 0;
  readonly proc: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(url: string) {
    this.proc = fork(path.join(here, 'fixtures/delivery-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, DATABASE_URL: url, ENCRYPTION_KEY: ENCRYPTION_KEY.toString('hex') },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.exited = new Promise((r) => this.proc.once('exit', r));
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.proc.once('message', () => resolve()));
  }

  /** Appends, for each call, one event per type in order; resolves with the new event ids. */
  append(callIds: string[], types: string[]): Promise<string[]> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const onMsg = (m: { id?: number; ids?: string[]; error?: string }) => {
        if (m.id !== id) return;
        this.proc.off('message', onMsg);
        if (m.error) reject(new Error(m.error));
        else resolve(m.ids!);
      };
      this.proc.on('message', onMsg);
      this.proc.send({ id, callIds, types });
    });
  }

  async kill9(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

let t: TestDatabase;
let rx: Receiver;
let child: ChildWorker | undefined;
let h: Harness | undefined;
beforeAll(async () => {
  t = await createTestDatabase('ordered_crash');
  rx = await new Receiver().start();
});
afterAll(async () => {
  if (child?.proc.exitCode === null) await child.kill9();
  await h?.stop();
  await rx?.stop();
  await t?.drop();
});

it('kill -9 of the worker holding a call mid-call: the next worker sends the rest of that call in order', async () => {
  const pool = new pg.Pool({ connectionString: t.url, max: 2 });
  await createSubscription(pool, { url: rx.url, ordering: 'per-call' }).finally(() => pool.end());
  child = new ChildWorker(t.url);
  await child.ready();
  let held = ''; // the event whose first attempt the receiver never answers
  rx.respond = (r) => {
    if (
      String(r.headers['webhook-id']) === held &&
      rx.received.filter((p) => p.headers['webhook-id'] === held).length === 1
    )
      return { status: 0 };
    return { status: 200 };
  };
  const [x1, y1] = await child.append(['crash-x', 'crash-y'], ['call.ringing']);
  await waitFor(
    () => orderReport(rx.received).accepted,
    (n) => n === 2,
  );
  const before = await child.append(['crash-x'], ['call.answered']);
  held = before[0]!;
  await waitFor(
    () => rx.received.filter((r) => r.headers['webhook-id'] === held).length,
    (n) => n === 1,
  );
  // x2's request hangs at the receiver; the rest of call x joins the worker's lane behind it.
  const [x3, x4, y2, y3] = await child.append(['crash-x', 'crash-y'], ['call.transferred', 'call.ended']);
  await waitFor(
    () => orderReport(rx.received).accepted,
    (n) => n === 4, // x1 and call y: nothing of x after x2
  );
  expect(rx.received.map((r) => r.headers['webhook-id'])).toContain(held);
  expect(rx.received.some((r) => [x3, x4].includes(String(r.headers['webhook-id'])))).toBe(false);
  await child.kill9();

  // A second worker takes call x over once the dead worker's leases run out.
  h = await startHarness({}, { t });
  await waitFor(
    () => orderReport(rx.received).accepted,
    (n) => n === 7,
    20_000,
  );
  const report = orderReport(rx.received);
  expect(report.violations).toEqual([]);
  const ids = (key: string) =>
    rx.received
      .filter((r) => r.status === 200 && r.headers['relay-order-key'] === key)
      .map((r) => String(r.headers['webhook-id']));
  expect([...new Set(ids('call:crash-x'))]).toEqual([x1, held, x3, x4]);
  expect([...new Set(ids('call:crash-y'))]).toEqual([y1, y2, y3]);
  // x2 went twice: the request the dead worker never saw answered, then the new worker's.
  expect(rx.received.filter((r) => r.headers['webhook-id'] === held)).toHaveLength(2);
}, 60_000);
