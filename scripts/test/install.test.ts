import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@3cx-relay/pg-cluster';
import { startSimulator, type Simulator } from '@3cx-relay/simulator';
import {
  ensureAcl,
  ensureJemalloc,
  ensureNginx,
  JEMALLOC,
  memoryEnvOf,
  fingerprintTree,
  httpsRequest,
  installSh,
  prebuiltAdminProblem,
  stampAdminBuild,
  readEnvFile,
  REPO,
  runInstaller,
  snapshotSource,
  startProcess,
  stopProcess,
  until,
  waitFor,
} from './install-helpers.js';

// install.sh against a sandbox: --prefix holds the fake 3CX layout (the simulator's ini and a PBX
// certificate) and everything the installer writes; no systemd here (CI), so the services are
// started by hand from the generated commands and config. The admin panel: with
// RELAY_TEST_ADMIN_BUILD=1 the installer runs next build in the release (slow: ~1.3 GB, minutes on CI);
// otherwise it reuses the checkout's admin/.next with --admin-build reuse when that build is fresh
// (npm test builds it first); with neither, the admin checks are skipped and the output says why.
const FULL_ADMIN_BUILD = process.env.RELAY_TEST_ADMIN_BUILD === '1';
const tag = `${process.pid % 100000}`;
const USER = `relaytest${tag}`;
const ADMIN_USER = `${USER}-admin`;
const work = mkdtempSync(path.join(os.tmpdir(), '3cx-relay-install-'));
const prefix = path.join(work, 'root');
const source = path.join(work, 'src');
const OPT = path.join(prefix, 'opt/3cx-relay');
const WORKER_ENV = path.join(OPT, 'config/worker.env');
const ADMIN_ENV = path.join(OPT, 'config/admin.env');
const pgUrl = process.env.RELAY_TEST_PG_URL ?? '';
const ownDbName = `install_relay_${tag}`;
/** 3CX's voicemail folder in the sandbox: root's (standing in for phonesystem), 0750, files 0640. */
const vmDir = path.join(prefix, 'var/lib/3cxpbx/Instance1/Data/Voicemail');
const oldMessage = path.join(vmDir, '100', 'vmail_100_0791234567_20261201090000.wav');

let sim: Simulator;
let ownDbUrl: string;
let ports: { https: number; relay: number; admin: number };
let args: string[];
let firstRun: { code: number; out: string };
/** How the installer gets the admin (build, reuse or skip), and why it is skipped. */
let adminMode: 'build' | 'reuse' | 'skip' = 'skip';
let adminSkipped = '';

/** Whether `user` may read `file` (its first byte). */
const canRead = (user: string, file: string) =>
  spawnSync('runuser', ['-u', user, '--', 'head', '-c1', file], { stdio: 'ignore' }).status === 0;

function ownDbQuery(sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: ownDbUrl });
  return c.connect().then(() => c.query(sql).finally(() => c.end()));
}

beforeAll(async () => {
  if (!pgUrl) throw new Error('RELAY_TEST_PG_URL is not set (run through vitest.global-setup.ts)');
  ensureNginx();
  ensureAcl();
  ensureJemalloc();
  chmodSync(work, 0o755);
  // A message left before the relay was installed, in a mailbox folder of its own.
  mkdirSync(path.dirname(vmDir), { recursive: true });
  mkdirSync(vmDir, { mode: 0o750 });
  mkdirSync(path.dirname(oldMessage), { mode: 0o750 });
  writeFileSync(oldMessage, 'RIFF old message', { mode: 0o640 });
  mkdirSync(source);
  const buildIdFile = path.join(REPO, 'admin/.next/BUILD_ID');
  const buildId = () => (existsSync(buildIdFile) ? readFileSync(buildIdFile, 'utf8') : '');
  const idBefore = buildId();
  snapshotSource(source);
  if (FULL_ADMIN_BUILD) adminMode = 'build';
  else {
    // A build that ran while the snapshot was taken may have left a torn copy: do not use that.
    const torn = buildId() !== idBefore;
    adminSkipped = torn
      ? 'admin/.next was rebuilt while the source was copied'
      : prebuiltAdminProblem(source);
    adminMode = adminSkipped ? 'skip' : 'reuse';
    // Under npm test the admin was built just before: not reusing it is a bug, not a reason to skip.
    if (adminSkipped && !torn && process.env.RELAY_TEST_ADMIN_BUILT === '1')
      throw new Error(`npm test built the admin, but install.sh would not reuse it: ${adminSkipped}`);
    if (adminSkipped)
      process.stderr.write(
        `\n[install.test] admin checks skipped: ${adminSkipped}. Run npm test (it builds the admin ` +
          `first) or set RELAY_TEST_ADMIN_BUILD=1 to build it in the release.\n`,
      );
  }
  const iniDir = path.join(prefix, 'var/lib/3cxpbx/Bin');
  sim = await startSimulator({
    pgUrl,
    iniDir,
    dbName: `install_db_${tag}`,
    readonlyRole: `install_ro_${tag}`,
    dropOnStop: true,
    voicemailDir: vmDir,
  });
  const certDir = path.join(prefix, 'var/lib/3cxpbx/Bin/nginx/conf/Instance1');
  mkdirSync(certDir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=relay.test',
      '-keyout',
      path.join(certDir, 'relay.test-key.pem'),
      '-out',
      path.join(certDir, 'relay.test-crt.pem'),
    ],
    { stdio: 'ignore' },
  );
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${ownDbName}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${ownDbName}`;
  ownDbUrl = u.toString();
  ports = { https: await freePort(), relay: await freePort(), admin: await freePort() };
  args = [
    '--prefix',
    prefix,
    '--source',
    source,
    '--service-user',
    USER,
    '--no-systemd',
    '--no-nginx-reload',
    '--non-interactive',
    '--skip-node-install',
    '--database-url',
    ownDbUrl,
    '--public-host',
    'relay.test',
    '--port',
    String(ports.https),
    '--relay-port',
    String(ports.relay),
    '--admin-port',
    String(ports.admin),
    '--pbx-url',
    sim.baseUrl,
    '--client-id',
    sim.clients.owner.clientId,
    '--client-secret',
    sim.clients.owner.clientSecret,
    '--admin-build',
    adminMode,
    '--voicemail-dir',
    vmDir,
  ];
  firstRun = runInstaller(args);
}, 720_000);

afterAll(async () => {
  runInstaller(['--purge', '--prefix', prefix, '--service-user', USER, '--no-systemd', '--no-nginx-reload']);
  await sim?.stop();
  if (pgUrl) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${ownDbName} WITH (FORCE)`);
    await admin.end();
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('install.sh in a sandbox prefix', () => {
  it('--dry-run prints every step and writes nothing', () => {
    const dry = path.join(work, 'dry');
    const r = runInstaller([
      '--dry-run',
      '--prefix',
      dry,
      '--source',
      source,
      '--non-interactive',
      '--no-systemd',
      '--database-url',
      ownDbUrl,
    ]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('would run: npm install');
    expect(r.out).toContain(`would write ${dry}/opt/3cx-relay/config/worker.env`);
    expect(r.out).toContain(`would write ${dry}/opt/3cx-relay/config/admin.env`);
    expect(r.out).toContain('would run: nginx -t');
    expect(r.out).toContain('Dry run: nothing was changed.');
    expect(existsSync(dry)).toBe(false);
  });

  it('--admin-build reuse takes a prebuilt admin only when it was built from the same sources, by content', () => {
    const tree = path.join(work, 'prebuilt');
    const files = ['admin/src/app/page.tsx', 'admin/test/x.test.ts', 'package-lock.json', 'README.md'];
    for (const f of [...files, 'admin/.next/routes-manifest.json', 'admin/.next/prerender-manifest.json']) {
      mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
      writeFileSync(path.join(tree, f), 'x');
    }
    mkdirSync(path.join(tree, 'admin/.next/server'));
    mkdirSync(path.join(tree, 'admin/.next/static'));
    expect(prebuiltAdminProblem(tree)).toMatch(/admin\/\.next\/BUILD_ID missing/);
    writeFileSync(path.join(tree, 'admin/.next/BUILD_ID'), 'b1');
    // A build without a record of its inputs (plain `next build`) is never trusted.
    expect(prebuiltAdminProblem(tree)).toMatch(/relay-build-inputs is missing/);
    stampAdminBuild(tree);
    expect(prebuiltAdminProblem(tree)).toBe('');
    // File times play no part: sources newer than the build (a fresh checkout or copy) are fine.
    const later = new Date(Date.now() + 60_000);
    for (const f of files) utimesSync(path.join(tree, f), later, later);
    expect(prebuiltAdminProblem(tree)).toBe('');
    // Tests and files outside the admin's inputs do not make the build stale.
    writeFileSync(path.join(tree, 'admin/test/x.test.ts'), 'changed');
    writeFileSync(path.join(tree, 'README.md'), 'changed');
    expect(prebuiltAdminProblem(tree)).toBe('');
    // A changed input is named even when its time was set back to before the build.
    const old = new Date(Date.now() - 3_600_000);
    for (const f of ['admin/src/app/page.tsx', 'package-lock.json']) {
      writeFileSync(path.join(tree, f), 'changed');
      utimesSync(path.join(tree, f), old, old);
      expect(prebuiltAdminProblem(tree)).toBe(
        `${f} was added, changed or removed since admin/.next was built`,
      );
      writeFileSync(path.join(tree, f), 'x');
      expect(prebuiltAdminProblem(tree)).toBe('');
    }
    // So is an added file, and one that was removed.
    writeFileSync(path.join(tree, 'admin/src/app/extra.tsx'), 'x');
    expect(prebuiltAdminProblem(tree)).toBe(
      'admin/src/app/extra.tsx was added, changed or removed since admin/.next was built',
    );
    rmSync(path.join(tree, 'admin/src/app/extra.tsx'));
    rmSync(path.join(tree, 'admin/src/app/page.tsx'));
    expect(prebuiltAdminProblem(tree)).toBe(
      'admin/src/app/page.tsx was added, changed or removed since admin/.next was built',
    );
  });

  it('--admin-build reuse builds instead when the prebuilt admin is stale', () => {
    const dry = path.join(work, 'dry-stale');
    const file = path.join(source, 'admin/next.config.mjs');
    const original = readFileSync(file);
    const { atime, mtime } = statSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from('// edited after the build\n')]));
    try {
      const r = runInstaller([
        ...['--dry-run', '--prefix', dry, '--source', source, '--non-interactive', '--no-systemd'],
        ...['--database-url', ownDbUrl, '--admin-build', 'reuse'],
      ]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/not reusing the prebuilt admin: .*; building it/);
      expect(r.out).toMatch(/would run: env NEXT_TELEMETRY_DISABLED=1 .* build /);
      expect(r.out).not.toMatch(/^ *reusing the prebuilt admin/m);
      expect(r.out).not.toContain('admin/.next into');
    } finally {
      writeFileSync(file, original);
      utimesSync(file, atime, mtime);
    }
  });

  it('installs: finds the ini, migrates, creates the first admin and prints its password once', async () => {
    expect(firstRun.code, firstRun.out).toBe(0);
    expect(firstRun.out).toContain(`found: ${sim.iniPath}`);
    expect(firstRun.out).toContain(
      'not found: ' + path.join(prefix, 'var/lib/3cxpbx/Instance1/Bin/3CXPhoneSystem.ini'),
    );
    expect(firstRun.out).toMatch(/applying migration \d+_init/);
    expect(firstRun.out).toMatch(/Password \(shown once.*\): \S{20}/);
    const admins = await ownDbQuery(`SELECT email FROM admin_users WHERE role = 'admin'`);
    expect(admins.rows).toEqual([{ email: 'admin@localhost' }]);
  });

  it('writes one settings file per service, each 0600 for its own user: the admin never sees 3CX credentials, the worker never the session secret', () => {
    const owner = (f: string) => execFileSync('stat', ['-c', '%U %a', f], { encoding: 'utf8' }).trim();
    expect(owner(WORKER_ENV)).toBe(`${USER} 600`);
    expect(owner(ADMIN_ENV)).toBe(`${ADMIN_USER} 600`);
    expect(existsSync(path.join(OPT, 'config/relay.env'))).toBe(false);
    const worker = readEnvFile(WORKER_ENV);
    const admin = readEnvFile(ADMIN_ENV);
    expect(worker.RELAY_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(admin.RELAY_ENCRYPTION_KEY).toBe(worker.RELAY_ENCRYPTION_KEY);
    expect(admin.NEXTAUTH_SECRET?.length).toBeGreaterThanOrEqual(48);
    expect(admin.TRUSTED_PROXY_SECRET?.length).toBeGreaterThanOrEqual(24);
    expect(worker).toMatchObject({
      PBX_URL: sim.baseUrl,
      PBX_CLIENT_ID: sim.clients.owner.clientId,
      PBX_CLIENT_SECRET: sim.clients.owner.clientSecret,
      DATABASE_URL: ownDbUrl,
    });
    expect(admin.DATABASE_URL).toBe(ownDbUrl);
    expect(admin.NEXTAUTH_URL).toBe(`https://relay.test:${ports.https}/admin/api/auth`);
    expect(Object.keys(admin).filter((k) => k.startsWith('PBX_'))).toEqual([]);
    expect(Object.keys(worker).filter((k) => /NEXTAUTH|TRUSTED_PROXY/.test(k))).toEqual([]);
    // Neither service user can read the other's file.
    expect([canRead(USER, WORKER_ENV), canRead(ADMIN_USER, ADMIN_ENV)]).toEqual([true, true]);
    expect([canRead(ADMIN_USER, WORKER_ENV), canRead(USER, ADMIN_ENV)]).toEqual([false, false]);
  });

  it('deploys compiled JavaScript and starts every service and the CLI without a TypeScript loader', () => {
    const release = realpathSync(path.join(OPT, 'current'));
    for (const f of [
      'relay-worker/dist/main.js',
      'relay-worker/dist/cli.js',
      'prisma/dist/src/index.js',
      'prisma/dist/src/migrate.js',
      'packages/events/dist/index.js',
    ])
      expect(existsSync(path.join(release, f)), f).toBe(true);
    for (const name of ['3cx-relay', '3cx-relay-worker', '3cx-relay-admin']) {
      const bin = readFileSync(path.join(OPT, 'bin', name), 'utf8');
      expect(bin, name).not.toMatch(/tsx|\.ts"/);
      expect(bin, name).toContain('--conditions=relay-compiled');
    }
  });

  it("the worker's command preloads jemalloc, which install.sh made sure of; RELAY_MALLOC=glibc or a missing library leaves glibc's malloc with two arenas", () => {
    expect(firstRun.out).toContain(`using ${JEMALLOC}`);
    const bin = path.join(OPT, 'bin/3cx-relay-worker');
    expect(memoryEnvOf(bin)).toEqual({
      LD_PRELOAD: JEMALLOC,
      MALLOC_CONF: 'background_thread:true,narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0',
      MALLOC_ARENA_MAX: '2',
    });
    // an LD_PRELOAD already set is kept behind it, a MALLOC_CONF already set wins
    expect(memoryEnvOf(bin, { LD_PRELOAD: '/x/lib.so', MALLOC_CONF: 'narenas:1' })).toMatchObject({
      LD_PRELOAD: `${JEMALLOC} /x/lib.so`,
      MALLOC_CONF: 'narenas:1',
    });
    const glibc = { LD_PRELOAD: '', MALLOC_CONF: '', MALLOC_ARENA_MAX: '2' };
    expect(memoryEnvOf(bin, { RELAY_MALLOC: 'glibc' })).toEqual(glibc);
    // the same block on a machine without the library (its paths swapped for ones that do not exist)
    const missing = path.join(work, 'bin-without-jemalloc');
    writeFileSync(
      missing,
      readFileSync(bin, 'utf8').replaceAll('/libjemalloc.so.2', '/no-such-libjemalloc.so.2'),
    );
    expect(memoryEnvOf(missing)).toEqual(glibc);
  });

  it('writes hardened systemd units that pass systemd-analyze verify', () => {
    const unit = readFileSync(path.join(prefix, 'etc/systemd/system/3cx-relay-worker.service'), 'utf8');
    for (const line of [
      'NoNewPrivileges=true',
      'ProtectSystem=strict',
      'ProtectHome=true',
      'PrivateTmp=true',
      `ReadWritePaths=${OPT}/logs ${OPT}/data`,
      'Restart=on-failure',
      'RestartPreventExitStatus=78',
      `User=${USER}`,
      `EnvironmentFile=${OPT}/config/worker.env`,
      `ExecStartPre=+${OPT}/bin/3cx-relay-pbx-ini ${sim.iniPath} %t/3cx-relay-worker/3CXPhoneSystem.ini ${USER}`,
      'Environment=PBX_INI_PATH=%t/3cx-relay-worker/3CXPhoneSystem.ini',
      // Of 3CX's files the worker sees only the voicemail folder.
      `TemporaryFileSystem=${prefix}/var/lib/3cxpbx:ro`,
      `BindReadOnlyPaths=-${vmDir}`,
    ]) {
      expect(unit).toContain(line);
    }
    const adminUnit = readFileSync(path.join(prefix, 'etc/systemd/system/3cx-relay-admin.service'), 'utf8');
    expect(adminUnit).toContain(`User=${ADMIN_USER}`);
    expect(adminUnit).toContain(`EnvironmentFile=${OPT}/config/admin.env`);
    expect(adminUnit).not.toMatch(/worker\.env|3CXPhoneSystem/);
    if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0) return;
    const units = ['3cx-relay-worker', '3cx-relay-admin'].map((u) =>
      path.join(prefix, `etc/systemd/system/${u}.service`),
    );
    const r = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it("uses the PBX's certificate and the nginx site passes nginx -t", () => {
    const sitePath = path.join(prefix, 'etc/nginx/sites-available/3cx-relay');
    const site = readFileSync(sitePath, 'utf8');
    expect(site).toContain('relay.test-crt.pem');
    expect(site).toContain('proxy_set_header Upgrade $http_upgrade');
    // It holds the proxy secret: root only.
    expect(execFileSync('stat', ['-c', '%U %a', sitePath], { encoding: 'utf8' }).trim()).toBe('root 600');
    expect(site).toContain(`X-Relay-Proxy "${readEnvFile(ADMIN_ENV).TRUSTED_PROXY_SECRET}"`);
    const conf = writeNginxConf();
    const r = spawnSync('nginx', ['-t', '-p', path.dirname(conf), '-c', conf], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  describe('running from the generated config', () => {
    let worker: ReturnType<typeof startProcess> | undefined;
    let adminProc: ReturnType<typeof startProcess> | undefined;
    let nginx: ReturnType<typeof startProcess> | undefined;

    /** A private TMPDIR per service: a TypeScript loader would leave its compile cache there. */
    const tmpFor = (name: string, uid: number) => {
      const dir = path.join(work, `tmp-${name}`);
      mkdirSync(dir, { recursive: true });
      chownSync(dir, uid, uid);
      return dir;
    };
    let iniCopy = '';

    beforeAll(() => {
      // What the worker unit's ExecStartPre=+ does: as root, copy the part of 3CX's ini the worker
      // needs into its private runtime folder, readable by its user only.
      const run = path.join(work, 'run-worker');
      mkdirSync(run, { recursive: true });
      const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
      chownSync(run, uid, gid);
      chmodSync(run, 0o700);
      chmodSync(work, 0o755);
      iniCopy = path.join(run, '3CXPhoneSystem.ini');
      execFileSync(path.join(OPT, 'bin/3cx-relay-pbx-ini'), [sim.iniPath ?? '', iniCopy, USER]);
      const env = { PATH: process.env.PATH, PBX_INI_PATH: iniCopy, TMPDIR: tmpFor('worker', uid) };
      worker = startProcess(path.join(OPT, 'bin/3cx-relay-worker'), [], env, { uid, gid });
      if (adminMode !== 'skip') {
        const auid = Number(execFileSync('id', ['-u', ADMIN_USER], { encoding: 'utf8' }));
        const agid = Number(execFileSync('id', ['-g', ADMIN_USER], { encoding: 'utf8' }));
        adminProc = startProcess(
          path.join(OPT, 'bin/3cx-relay-admin'),
          [],
          { PATH: process.env.PATH, TMPDIR: tmpFor('admin', auid) },
          { uid: auid, gid: agid },
        );
      }
      const conf = writeNginxConf();
      nginx = startProcess('nginx', ['-p', path.dirname(conf), '-c', conf, '-g', 'daemon off;'], {
        PATH: process.env.PATH,
      });
    });

    afterAll(async () => {
      await Promise.all([stopProcess(worker), stopProcess(adminProc), stopProcess(nginx)]);
    });

    const url = (p: string) => `https://127.0.0.1:${ports.https}${p}`;

    it('answers /relay/health through nginx over TLS: up or down only, without version, host or pid', async () => {
      const r = await waitFor(url('/relay/health'), 200, 40_000).catch((err: Error) => {
        throw new Error(`${err.message}\nworker: ${worker?.output()}\nnginx: ${nginx?.output()}`);
      });
      expect(JSON.parse(r.body)).toEqual({ status: 'up' });
      expect(r.headers.server).toBe('nginx');
    }, 60_000);

    it("gives the worker only the ini's location keys and [DbAdminREADONLY] login, never the master password; it reads 3CX's database with them", async () => {
      const copy = readFileSync(iniCopy, 'utf8');
      expect(copy).toMatch(/^\[DbAdminREADONLY\]\nUser = .+\nPassword = .+$/m);
      expect(copy).toMatch(/^DBPort = \d+$/m);
      expect(copy).not.toMatch(/MasterDB|\[General\]|PBXUser/);
      expect(execFileSync('stat', ['-c', '%U %a', iniCopy], { encoding: 'utf8' }).trim()).toBe(`${USER} 400`);
      // Details, from the box itself (a direct loopback call).
      await until(async () => {
        const r = await fetch(`http://127.0.0.1:${ports.relay}/relay/health`);
        const body = (await r.json()) as { components?: { db3cx?: { status: string } } };
        return body.components?.db3cx?.status === 'up';
      }, 30_000);
    }, 60_000);

    it("streams voicemail audio from 3CX's folder as its own user, through the ACL on that folder alone (messages 3CX adds later too); a message it may not read is a 502 naming the folder, never a broken 200", async () => {
      // The worker's first run of s_voicemail starts after the newest message; then a caller
      // leaves one in mailbox 103, a folder 3CX creates after the install.
      await until(
        async () =>
          (await ownDbQuery(`SELECT 1 FROM source_cursors WHERE name = 'db3cx:s_voicemail'`)).rowCount === 1,
        30_000,
      );
      await sim.runScenario('voicemail', { timeScale: 0.05 });
      let event: { audio: { signedUrl: string } } | undefined;
      await until(async () => {
        event = (await ownDbQuery(`SELECT data FROM events WHERE type = 'voicemail.received'`)).rows[0]?.data;
        return event !== undefined;
      }, 30_000);
      const file = path.join(vmDir, '103', readdirSync(path.join(vmDir, '103'))[0]!);
      expect(execFileSync('stat', ['-c', '%U %a', file], { encoding: 'utf8' }).trim()).toBe('root 640');
      expect([canRead(USER, file), canRead(USER, oldMessage), canRead(ADMIN_USER, file)]).toEqual([
        true,
        true,
        false,
      ]);
      // The grant is on the voicemail folder only: nothing above it names the worker's user.
      for (const above of ['var/lib/3cxpbx', 'var/lib/3cxpbx/Instance1', 'var/lib/3cxpbx/Instance1/Data'])
        expect(
          execFileSync('getfacl', ['-p', '-c', path.join(prefix, above)], { encoding: 'utf8' }),
        ).not.toContain(USER);
      const signed = new URL(event!.audio.signedUrl, 'http://x');
      const get = () => fetch(`http://127.0.0.1:${ports.relay}${signed.pathname}${signed.search}`);
      const res = await get();
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(readFileSync(file));
      // A message written without group read masks the ACL: the worker says why, before any byte.
      chmodSync(file, 0o600);
      try {
        const refused = await get();
        expect(refused.status).toBe(502);
        expect(await refused.text()).toContain('permission denied');
      } finally {
        chmodSync(file, 0o640);
      }
      expect((await get()).status).toBe(200);
    }, 90_000);

    it('nginx hides its version, limits bodies and keeps ?access_token= out of its access log', async () => {
      const big = await httpsRequest(url('/relay/active-calls'), {
        method: 'POST',
        body: 'x'.repeat(300 * 1024),
        headers: { 'content-type': 'application/json' },
      });
      expect(big.status).toBe(413);
      expect(big.headers.server).toBe('nginx');
      const token = 'rk_0123456789ab.secret-in-the-query-string';
      await httpsRequest(url(`/relay/ws?since=1&access_token=${token}&types=call.*`));
      const log = path.join(prefix, 'var/log/nginx/3cx-relay.access.log');
      await until(() => readFileSync(log, 'utf8').includes('/relay/ws?'), 10_000);
      const lines = readFileSync(log, 'utf8');
      expect(lines).not.toContain('secret-in-the-query-string');
      expect(lines).toContain('/relay/ws?since=1&access_token=[redacted]&types=call.*');
    }, 60_000);

    it('serves the admin login page at /admin through nginx over TLS, with the security headers', async (ctx) => {
      if (adminMode === 'skip') ctx.skip(`admin not installed: ${adminSkipped}`);
      const r = await waitFor(url('/admin/login'), 200, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}\nadmin: ${adminProc?.output()}\nnginx: ${nginx?.output()}`);
      });
      expect(r.body).toContain('<html');
      expect(r.headers).toMatchObject({
        'strict-transport-security': 'max-age=31536000',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        server: 'nginx',
      });
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['content-security-policy']).toMatch(/'nonce-[^']+'/);
      if (adminMode === 'reuse') expect(firstRun.out).toContain('reusing the prebuilt admin');
    }, 90_000);

    it('through nginx: a spoofed X-Real-IP does not escape the sign-in block, the login rate limit answers 429, and a same-host Origin on another port is refused', async (ctx) => {
      if (adminMode === 'skip') ctx.skip(`admin not installed: ${adminSkipped}`);
      await waitFor(url('/admin/login'), 200, 60_000);
      const login = (i: number) =>
        httpsRequest(url('/admin/api/login'), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: `https://relay.test:${ports.https}`,
            'x-real-ip': `198.51.100.${i}`,
            'x-forwarded-for': `198.51.100.${i}`,
          },
          body: JSON.stringify({ email: 'admin@localhost', password: `wrong-${i}` }),
        });
      const statuses: string[] = [];
      // 5 free failures, then the 6th is refused by the panel (JSON), all within nginx's burst.
      for (let i = 1; i <= 6; i++) {
        const r = await login(i);
        statuses.push(`${r.status}${r.body.startsWith('{') ? '' : ' nginx'}`);
      }
      const errorLog = path.join(prefix, 'var/log/nginx/3cx-relay.error.log');
      expect(
        statuses,
        `admin: ${adminProc?.output().slice(-3000)}\nnginx: ${existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(-3000) : ''}`,
      ).toEqual(['401', '401', '401', '401', '401', '429']);
      // Past nginx's burst for sign-ins (10/min, burst 5), nginx itself answers 429.
      const more = await Promise.all([7, 8, 9, 10].map(login));
      expect(more.some((r) => r.status === 429 && !r.body.startsWith('{'))).toBe(true);
      const cross = await httpsRequest(url('/admin/api/logout'), {
        method: 'POST',
        headers: { origin: 'https://relay.test', host: 'relay.test' },
      });
      expect(cross.status).toBe(403);
      const same = await httpsRequest(url('/admin/api/logout'), {
        method: 'POST',
        headers: { origin: `https://relay.test:${ports.https}`, host: 'relay.test' },
      });
      expect(same.status).toBe(200);
    }, 60_000);

    it('the running worker has jemalloc loaded (its command preloads it)', async () => {
      await waitFor(url('/relay/health'), 200, 40_000);
      expect(readFileSync(`/proc/${worker!.pid}/maps`, 'utf8')).toContain(JEMALLOC);
    });

    it("no TypeScript loader ran: no compile cache in either service's TMPDIR", () => {
      // The worker has run its sources, the admin rendered pages and signed in (tests above).
      for (const name of ['worker', 'admin']) {
        const dir = path.join(work, `tmp-${name}`);
        if (!existsSync(dir)) continue;
        expect(
          readdirSync(dir).filter((f) => f.startsWith('tsx')),
          name,
        ).toEqual([]);
      }
      expect(worker?.exitCode ?? null).toBeNull();
    });
  });

  it('a second run changes nothing: same files, same secrets, same release', () => {
    const before = fingerprintTree(prefix);
    const envBefore = readFileSync(WORKER_ENV, 'utf8') + readFileSync(ADMIN_ENV, 'utf8');
    const r = runInstaller(args);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('already holds this source');
    expect(r.out).toContain('migrations: 0 applied');
    expect(r.out).toContain('An admin user exists already');
    expect(r.out).not.toMatch(/writing /);
    expect(readFileSync(WORKER_ENV, 'utf8') + readFileSync(ADMIN_ENV, 'utf8')).toBe(envBefore);
    expect(fingerprintTree(prefix)).toEqual(before);
  }, 120_000);

  it("an older install's single relay.env is split into worker.env and admin.env, keeping every secret and setting", () => {
    const worker = readEnvFile(WORKER_ENV);
    const admin = readEnvFile(ADMIN_ENV);
    const legacy = { ...worker, ...admin, LOG_LEVEL: 'debug' };
    writeFileSync(
      path.join(OPT, 'config/relay.env'),
      Object.entries(legacy)
        .map(([k, v]) => `${k}='${v}'`)
        .join('\n') + '\n',
      { mode: 0o600 },
    );
    rmSync(WORKER_ENV);
    rmSync(ADMIN_ENV);
    const r = runInstaller(args);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('was split into the two above; removing it');
    expect(existsSync(path.join(OPT, 'config/relay.env'))).toBe(false);
    expect(readEnvFile(WORKER_ENV)).toEqual({ ...worker, LOG_LEVEL: 'debug' });
    expect(readEnvFile(ADMIN_ENV)).toEqual(admin);
  }, 120_000);

  it("after installing nginx itself, the installer disables Debian's default site (port 80)", () => {
    const nginxDir = path.join(work, 'fresh-nginx/etc/nginx');
    mkdirSync(path.join(nginxDir, 'sites-enabled'), { recursive: true });
    mkdirSync(path.join(nginxDir, 'sites-available'), { recursive: true });
    writeFileSync(path.join(nginxDir, 'sites-available/default'), 'server { listen 80 default_server; }\n');
    symlinkSync('../sites-available/default', path.join(nginxDir, 'sites-enabled/default'));
    const out = installSh(
      // `have nginx` is false before the apt-get (stubbed here), as on a server without nginx.
      'NGINX_DIR=$1; DRY_RUN=0; have() { [[ $1 != nginx ]]; }; run() { [[ $1 == env ]] || "$@"; }; ensure_nginx_installed',
      nginxDir,
    );
    expect(out).toContain("disabling Debian's default nginx site");
    expect(existsSync(path.join(nginxDir, 'sites-enabled/default'))).toBe(false);
    expect(existsSync(path.join(nginxDir, 'sites-available/default'))).toBe(true);
  });

  it('--uninstall removes services, site and program but keeps config, data and the database', async () => {
    const envBefore = readFileSync(WORKER_ENV, 'utf8');
    const r = runInstaller([
      '--uninstall',
      '--prefix',
      prefix,
      '--service-user',
      USER,
      '--no-systemd',
      '--no-nginx-reload',
    ]);
    expect(r.code, r.out).toBe(0);
    for (const gone of [
      'etc/systemd/system/3cx-relay-worker.service',
      'etc/systemd/system/3cx-relay-admin.service',
      'etc/nginx/sites-available/3cx-relay',
      'etc/nginx/sites-enabled/3cx-relay',
      'etc/logrotate.d/3cx-relay',
      'usr/local/bin/3cx-relay',
      'opt/3cx-relay/bin',
      'opt/3cx-relay/releases',
      'opt/3cx-relay/current',
    ]) {
      expect(existsSync(path.join(prefix, gone)), gone).toBe(false);
    }
    expect(readFileSync(WORKER_ENV, 'utf8')).toBe(envBefore);
    expect(existsSync(path.join(OPT, 'data'))).toBe(true);
    // The voicemail grant is taken back, from every mailbox and message (the default entries too).
    expect(r.out).toContain(`removing ${USER}'s read access to ${vmDir}`);
    expect(execFileSync('getfacl', ['-R', '-p', vmDir], { encoding: 'utf8' })).not.toContain(USER);
    expect(canRead(USER, oldMessage)).toBe(false);
    expect((await ownDbQuery('SELECT count(*)::int AS n FROM admin_users')).rows[0]).toEqual({ n: 1 });
  }, 240_000);

  it('--purge removes the rest, including the service user', () => {
    const r = runInstaller([
      '--purge',
      '--prefix',
      prefix,
      '--service-user',
      USER,
      '--no-systemd',
      '--no-nginx-reload',
    ]);
    expect(r.code, r.out).toBe(0);
    expect(existsSync(OPT)).toBe(false);
    expect(spawnSync('id', ['-u', USER]).status).not.toBe(0);
    expect(spawnSync('id', ['-u', ADMIN_USER]).status).not.toBe(0);
  }, 60_000);
});

/** A throw-away nginx.conf that serves only the relay's site (the way the live one includes it). */
function writeNginxConf(): string {
  const dir = path.join(work, 'nginx');
  mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  include ${prefix}/etc/nginx/sites-enabled/*;\n}\n`,
  );
  return conf;
}
