import pg from 'pg';
import { stackState } from './state.js';

/** Runs one SQL statement against the stack's relay database. */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: stackState().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Sends a NOTIFY as the worker would. */
export async function notify(channel: string, payload: unknown): Promise<void> {
  await sql('SELECT pg_notify($1, $2)', [channel, JSON.stringify(payload)]);
}

/** LISTENs on a channel; `next()` resolves with the next payload (parsed JSON). */
export async function listen(
  channel: string,
): Promise<{ next(timeoutMs?: number): Promise<unknown>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: stackState().databaseUrl });
  await client.connect();
  const queue: unknown[] = [];
  let waiter: ((v: unknown) => void) | null = null;
  client.on('notification', (m) => {
    const v = JSON.parse(m.payload ?? 'null') as unknown;
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(v);
    } else queue.push(v);
  });
  await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
  return {
    next(timeoutMs = 20_000) {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no NOTIFY on ${channel} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiter = (v) => {
          clearTimeout(t);
          resolve(v);
        };
      });
    },
    close: () => client.end(),
  };
}
