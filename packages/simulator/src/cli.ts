#!/usr/bin/env -S npx tsx
/**
 * 3CX V20 simulator CLI. Prints exactly one JSON line on stdout when ready:
 * `{"baseUrl","owner":{clientId,clientSecret},"admin":{...},"readonlyDbUrl","iniPath"}`.
 * Without `--pg-url` it starts its own private PostgreSQL cluster (removed on exit).
 */
import { parseArgs } from 'node:util';
import { startPostgres, type PgCluster } from '@3cx-relay/pg-cluster';
import { startSimulator } from './index.js';

const USAGE = `usage: tsx packages/simulator/src/cli.ts [--port N] [--pg-url URL] [--db-name NAME] [--readonly-role NAME]
  [--ini-dir DIR] [--ini-layout sections|flat] [--version 20.0.8|20.0.9|20.0.10] [--scenario NAME] [--load-rate N]
  [--demo] [--seed N] [--time-scale X] [--extensions N] [--presence-every SECONDS] [--voicemail-dir DIR]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : fail(`--${name} must be a number, got "${v}"`);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        'pg-url': { type: 'string' },
        'db-name': { type: 'string' },
        'readonly-role': { type: 'string' },
        'ini-dir': { type: 'string' },
        'ini-layout': { type: 'string' },
        version: { type: 'string' },
        scenario: { type: 'string' },
        'load-rate': { type: 'string' },
        demo: { type: 'boolean' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        extensions: { type: 'string' },
        'presence-every': { type: 'string' },
        'voicemail-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const version = args.version;
  if (version !== undefined && version !== '20.0.8' && version !== '20.0.9' && version !== '20.0.10')
    fail('--version must be 20.0.8, 20.0.9 or 20.0.10');
  const layout = args['ini-layout'];
  if (layout !== undefined && layout !== 'sections' && layout !== 'flat')
    fail('--ini-layout must be sections or flat');
  let cluster: PgCluster | undefined;
  const pgUrl =
    args['pg-url'] ??
    (cluster = await startPostgres({ log: (l) => process.stderr.write(`[pg] ${l}\n`) })).url();
  const sim = await startSimulator({
    pgUrl,
    port: num('port', args.port) ?? 0,
    ...(args['db-name'] ? { dbName: args['db-name'] } : {}),
    ...(args['readonly-role'] ? { readonlyRole: args['readonly-role'] } : {}),
    ...(args['ini-dir'] ? { iniDir: args['ini-dir'] } : {}),
    ...(layout ? { iniLayout: layout } : {}),
    ...(version ? { version } : {}),
    ...(args.scenario ? { scenario: args.scenario } : {}),
    ...(args['load-rate'] ? { loadRate: num('load-rate', args['load-rate']) } : {}),
    ...(args.seed ? { seed: num('seed', args.seed) } : {}),
    ...(args['time-scale'] ? { timeScale: num('time-scale', args['time-scale']) } : {}),
    ...(args['voicemail-dir'] ? { voicemailDir: args['voicemail-dir'] } : {}),
    ...(args.extensions ? { extensionCount: num('extensions', args.extensions) } : {}),
    ...(args['presence-every']
      ? { presenceChangeEverySec: num('presence-every', args['presence-every']) }
      : {}),
    demo: Boolean(args.demo),
    ...(cluster ? { pgCluster: cluster } : {}),
    log: (message, ctx) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...ctx })}\n`),
  });
  const ready = {
    baseUrl: sim.baseUrl,
    owner: sim.clients.owner,
    admin: sim.clients.admin,
    readonlyDbUrl: sim.readonlyDbUrl,
    iniPath: sim.iniPath ?? null,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(1);
    stopping = true;
    sim
      .stop()
      .then(() => cluster?.stop())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
