import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../relay-worker/test/support/api-keys.js';
import { startHarness, until, type Harness } from '../../../relay-worker/test/sources/sim-harness.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(pkgDir, '../..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('the packed @3cx-relay/client installs into an empty project and works from plain JavaScript', () => {
  let project: string;
  let h: Harness;
  let key: string;

  beforeAll(async () => {
    // The artifact integrators get: build, npm pack, install into a project outside the workspace
    // (its dependencies from npm's cache when there, else the registry).
    run('npm', ['run', 'build', '-w', '@3cx-relay/client'], repoRoot);
    project = mkdtempSync(path.join(os.tmpdir(), 'relay-client-consumer-'));
    const tarball = run(
      'npm',
      ['pack', path.join(pkgDir, 'dist'), '--pack-destination', project, '--silent'],
      project,
    ).trim();
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'crm', private: true, type: 'module' }),
    );
    run('npm', ['install', `./${tarball}`, '--prefer-offline', '--no-audit', '--no-fund'], project);
    h = await startHarness('packed');
    const w = await h.startWorker({ RELAY_ENCRYPTION_KEY: randomBytes(32).toString('hex') });
    await until(() => w.status.get('callcontrol')?.status === 'up', 8000, 'callcontrol up');
    key = (await createApiKey(w.pool, ['webhooks:manage', 'events:subscribe'])).key;
  }, 240_000);
  afterAll(async () => {
    await h?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('installs ws, zod and @types/ws only: nothing from the monorepo', () => {
    const installed = JSON.parse(
      readFileSync(path.join(project, 'node_modules/@3cx-relay/client/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    expect(Object.keys(installed.dependencies).sort()).toEqual(['@types/ws', 'ws', 'zod']);
    expect(readdirSync(path.join(project, 'node_modules/@3cx-relay'))).toEqual(['client']);
  });

  it('its declarations type-check a TypeScript consumer on their own', () => {
    copyFileSync(path.join(pkgDir, 'test/packed/consumer-types.ts'), path.join(project, 'consumer-types.ts'));
    const tsc = path.join(repoRoot, 'node_modules/.bin/tsc');
    // skipLibCheck: @types/node is not ours to check; the @ts-expect-error lines in the consumer
    // fail the run if the package's types resolved to `any`.
    const args = [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
    ];
    expect(() => run(tsc, [...args, 'consumer-types.ts'], project)).not.toThrow();
  }, 90_000);

  it('verifies a webhook, reads the snapshot then an event, and unsubscribes, from plain JavaScript', async () => {
    copyFileSync(path.join(pkgDir, 'test/packed/consumer.mjs'), path.join(project, 'consumer.mjs'));
    const child = spawn(process.execPath, ['consumer.mjs', h.worker!.url, key], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (l) =>
      lines.push(JSON.parse(l) as Record<string, unknown>),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await until(() => lines.some((l) => 'snapshot' in l) || child.exitCode !== null, 30_000, 'snapshot read');
    expect(stderr).toBe('');
    // A call placed while the consumer is streaming arrives after the snapshot.
    await h.sim.runScenario('internal');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const by = (k: string) => lines.find((l) => k in l)!;
    expect(by('subscribed').subscribed).toMatch(/^[0-9a-f-]{36}$/);
    expect(by('webhook')).toMatchObject({ webhook: 'call.ringing', caller: '+4930901820' });
    expect(by('tested').tested).toBe(204);
    expect(by('health').health).toEqual([['24h', '7d'], 24, 7]);
    expect(by('snapshot').snapshot).toMatch(/^\d+$/);
    expect(BigInt(by('event').sequence as string)).toBeGreaterThan(BigInt(by('snapshot').snapshot as string));
    expect(by('unsubscribed').unsubscribed).toBe(true);
    expect(lines.some((l) => 'refused' in l)).toBe(false);
    const left = await h.worker!.pool.query('SELECT count(*)::int AS n FROM webhook_subscriptions');
    expect(left.rows[0].n).toBe(0);
  }, 60_000);
});
