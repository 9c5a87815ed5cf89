import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
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
  ensureNginx,
  fingerprintTree,
  prebuiltAdminProblem,
  stampAdminBuild,
  readEnvFile,
  REPO,
  runInstaller,
  snapshotSource,
  startProcess,
  stopProcess,
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
const work = mkdtempSync(path.join(os.tmpdir(), '3cx-relay-install-'));
const prefix = path.join(work, 'root');
const source = path.join(work, 'src');
const OPT = path.join(prefix, 'opt/3cx-relay');
const ENV_FILE = path.join(OPT, 'config/relay.env');
const pgUrl = process.env.RELAY_TEST_PG_URL ?? '';
const ownDbName = `install_relay_${tag}`;

let sim: Simulator;
let ownDbUrl: string;
let ports: { https: number; relay: number; admin: number };
let args: string[];
let firstRun: { code: number; out: string };
/** How the installer gets the admin (build, reuse or skip), and why it is skipped. */
let adminMode: 'build' | 'reuse' | 'skip' = 'skip';
let adminSkipped = '';

function ownDbQuery(sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: ownDbUrl });
  return c.connect().then(() => c.query(sql).finally(() => c.end()));
}

beforeAll(async () => {
  if (!pgUrl) throw new Error('RELAY_TEST_PG_URL is not set (run through vitest.global-setup.ts)');
  ensureNginx();
  chmodSync(work, 0o755);
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
  ];
  firstRun = runInstaller(args);
}, 300_000);

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
    expect(r.out).toContain(`would write ${dry}/opt/3cx-relay/config/relay.env`);
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
    const file = path.join(source, 'admin/next.config.ts');
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

  it('writes relay.env 0600 for the service user with generated secrets and the 3CX settings', () => {
    const st = statSync(ENV_FILE);
    expect((st.mode & 0o777).toString(8)).toBe('600');
    expect(execFileSync('stat', ['-c', '%U', ENV_FILE], { encoding: 'utf8' }).trim()).toBe(USER);
    const env = readEnvFile(ENV_FILE);
    expect(env.RELAY_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(env.NEXTAUTH_SECRET?.length).toBeGreaterThanOrEqual(48);
    expect(env).toMatchObject({
      PBX_URL: sim.baseUrl,
      PBX_CLIENT_ID: sim.clients.owner.clientId,
      DATABASE_URL: ownDbUrl,
    });
    expect(env.NEXTAUTH_URL).toBe(`https://relay.test:${ports.https}/admin/api/auth`);
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
      `LoadCredential=3CXPhoneSystem.ini:${sim.iniPath}`,
    ]) {
      expect(unit).toContain(line);
    }
    if (spawnSync('sh', ['-c', 'command -v systemd-analyze']).status !== 0) return;
    const units = ['3cx-relay-worker', '3cx-relay-admin'].map((u) =>
      path.join(prefix, `etc/systemd/system/${u}.service`),
    );
    const r = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it("uses the PBX's certificate and the nginx site passes nginx -t", () => {
    const site = readFileSync(path.join(prefix, 'etc/nginx/sites-available/3cx-relay'), 'utf8');
    expect(site).toContain('relay.test-crt.pem');
    expect(site).toContain('proxy_set_header Upgrade $http_upgrade');
    const conf = writeNginxConf();
    const r = spawnSync('nginx', ['-t', '-p', path.dirname(conf), '-c', conf], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  describe('running from the generated config', () => {
    let worker: ReturnType<typeof startProcess> | undefined;
    let adminProc: ReturnType<typeof startProcess> | undefined;
    let nginx: ReturnType<typeof startProcess> | undefined;

    beforeAll(() => {
      // What systemd's LoadCredential does: a private copy of the ini the service user may read.
      const cred = path.join(work, 'credentials');
      mkdirSync(cred, { recursive: true });
      chmodSync(cred, 0o755);
      const ini = path.join(cred, '3CXPhoneSystem.ini');
      copyFileSync(sim.iniPath ?? '', ini);
      chmodSync(ini, 0o644);
      const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }));
      const env = { PATH: process.env.PATH, PBX_INI_PATH: ini };
      worker = startProcess(path.join(OPT, 'bin/3cx-relay-worker'), [], env, { uid, gid });
      if (adminMode !== 'skip')
        adminProc = startProcess(
          path.join(OPT, 'bin/3cx-relay-admin'),
          [],
          { PATH: process.env.PATH },
          { uid, gid },
        );
      const conf = writeNginxConf();
      nginx = startProcess('nginx', ['-p', path.dirname(conf), '-c', conf, '-g', 'daemon off;'], {
        PATH: process.env.PATH,
      });
    });

    afterAll(async () => {
      await Promise.all([stopProcess(worker), stopProcess(adminProc), stopProcess(nginx)]);
    });

    it('answers /relay/health through nginx over TLS', async () => {
      const r = await waitFor(`https://127.0.0.1:${ports.https}/relay/health`, 200, 40_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}\nworker: ${worker?.output()}\nnginx: ${nginx?.output()}`);
        },
      );
      expect(JSON.parse(r.body)).toMatchObject({ status: expect.any(String), version: expect.any(String) });
    }, 60_000);

    it('serves the admin login page at /admin through nginx over TLS, with the security headers', async (ctx) => {
      if (adminMode === 'skip') ctx.skip(`admin not installed: ${adminSkipped}`);
      const r = await waitFor(`https://127.0.0.1:${ports.https}/admin/login`, 200, 60_000).catch(
        (err: Error) => {
          throw new Error(`${err.message}\nadmin: ${adminProc?.output()}\nnginx: ${nginx?.output()}`);
        },
      );
      expect(r.body).toContain('<html');
      expect(r.headers).toMatchObject({
        'strict-transport-security': 'max-age=31536000',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
      });
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['content-security-policy']).toMatch(/'nonce-[^']+'/);
      if (adminMode === 'reuse') expect(firstRun.out).toContain('reusing the prebuilt admin');
    }, 90_000);
  });

  it('a second run changes nothing: same files, same secrets, same release', () => {
    const before = fingerprintTree(prefix);
    const envBefore = readFileSync(ENV_FILE, 'utf8');
    const r = runInstaller(args);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('already holds this source');
    expect(r.out).toContain('migrations: 0 applied');
    expect(r.out).toContain('An admin user exists already');
    expect(r.out).not.toMatch(/writing /);
    expect(readFileSync(ENV_FILE, 'utf8')).toBe(envBefore);
    expect(fingerprintTree(prefix)).toEqual(before);
  }, 120_000);

  it('--uninstall removes services, site and program but keeps config, data and the database', async () => {
    const envBefore = readFileSync(ENV_FILE, 'utf8');
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
    expect(readFileSync(ENV_FILE, 'utf8')).toBe(envBefore);
    expect(existsSync(path.join(OPT, 'data'))).toBe(true);
    expect((await ownDbQuery('SELECT count(*)::int AS n FROM admin_users')).rows[0]).toEqual({ n: 1 });
  }, 60_000);

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
