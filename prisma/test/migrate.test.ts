import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, pendingMigrations, readMigrations } from '../src/migrate.js';
import { createEmptyDatabase } from '../src/testing.js';

const tempDirs: string[] = [];
/** A migrations folder for one test, removed after it. */
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mig-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function q(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('migrate', () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createEmptyDatabase('mig');
  });
  afterAll(() => db.drop());

  it('applies every migration to an empty database and records it like Prisma Migrate', async () => {
    const all = readMigrations().map((m) => m.name);
    expect(await pendingMigrations(db.url)).toEqual(all);
    const r = await migrate(db.url);
    expect(r.applied).toEqual(all);
    const rows = await q(
      db.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((x) => x.migration_name)).toEqual(all);
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].finished_at).toBeInstanceOf(Date);
    expect(await pendingMigrations(db.url)).toEqual([]);
  });

  it('re-applying is a no-op', async () => {
    const r = await migrate(db.url);
    expect(r.applied).toEqual([]);
    expect(r.alreadyApplied.length).toBe(readMigrations().length);
    const rows = await q(db.url, 'SELECT count(*)::int AS n FROM "_prisma_migrations"');
    expect(rows[0].n).toBe(readMigrations().length);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const dir = tempDir();
    for (const m of readMigrations()) {
      mkdirSync(path.join(dir, m.name));
      writeFileSync(path.join(dir, m.name, 'migration.sql'), m.sql + '\n-- edited\n');
    }
    await expect(migrate(db.url, { dir })).rejects.toThrow(/was changed after it was applied/);
  });

  it('rolls back a failing migration completely and records nothing', async () => {
    const dir = tempDir();
    for (const m of readMigrations()) {
      mkdirSync(path.join(dir, m.name));
      writeFileSync(path.join(dir, m.name, 'migration.sql'), m.sql);
    }
    const bad = '29991231000000_broken';
    mkdirSync(path.join(dir, bad));
    writeFileSync(
      path.join(dir, bad, 'migration.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n',
    );
    await expect(migrate(db.url, { dir })).rejects.toThrow(
      /29991231000000_broken failed and was rolled back/,
    );
    expect(await q(db.url, `SELECT to_regclass('half_done') AS t`)).toEqual([{ t: null }]);
    const rows = await q(
      db.url,
      `SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = '${bad}'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('two concurrent runs apply each migration exactly once (advisory lock)', async () => {
    const fresh = await createEmptyDatabase('migc');
    try {
      const [a, b] = await Promise.all([migrate(fresh.url), migrate(fresh.url)]);
      expect(a.applied.length + b.applied.length).toBe(readMigrations().length);
      const rows = await q(fresh.url, 'SELECT count(*)::int AS n FROM "_prisma_migrations"');
      expect(rows[0].n).toBe(readMigrations().length);
    } finally {
      await fresh.drop();
    }
  });
});
