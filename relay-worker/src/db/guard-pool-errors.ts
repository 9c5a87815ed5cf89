import type pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * Makes a pool's connection failures errors to handle, never a crash. pg-pool listens for
 * `'error'` only on idle clients; a client that is checked out (`pool.connect()`, e.g. an
 * append transaction) and loses its server emits `'error'` with nobody listening, which ends
 * the process. Every client now gets a listener for its whole life: its query (or the next
 * one) still fails and the code that holds it sees the error; `release(err)` discards it.
 */
export function guardPoolErrors(pool: pg.Pool, log: Logger, what: string): pg.Pool {
  pool.on('error', (err) => log.warn({ err }, `idle ${what} connection failed`));
  pool.on('connect', (client) => {
    client.on('error', (err) => log.debug({ err }, `${what} connection failed while in use`));
  });
  return pool;
}
