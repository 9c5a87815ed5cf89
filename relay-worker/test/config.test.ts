import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { DATABASE_URL: 'postgresql://relay@127.0.0.1:5432/relay' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(base);
    expect(c.RELAY_HOST).toBe('127.0.0.1');
    expect(c.RELAY_PORT).toBe(8082);
    expect(c.PBX_CDR_TABLE).toBe('cdroutput');
    expect(c.CDR_POLL_INTERVAL_MS).toBe(1000);
    expect(c.SOURCE_CALLCONTROL_ENABLED).toBe(true);
  });

  it('rejects a missing DATABASE_URL with one readable line', () => {
    expect(problems({})).toEqual(['DATABASE_URL: is required (got not set)']);
  });

  it('reports every bad setting on its own line, naming the variable', () => {
    const p = problems({
      ...base,
      RELAY_PORT: 'eighty',
      PBX_URL: 'ftp://pbx',
      LOG_LEVEL: 'loud',
      SOURCE_DB_ENABLED: 'maybe',
    });
    expect(p).toHaveLength(4);
    expect(p.find((l) => l.startsWith('RELAY_PORT:'))).toContain('"eighty"');
    expect(p.find((l) => l.startsWith('PBX_URL:'))).toBeDefined();
    expect(p.find((l) => l.startsWith('LOG_LEVEL:'))).toContain('"loud"');
    expect(p.find((l) => l.startsWith('SOURCE_DB_ENABLED:'))).toBeDefined();
  });

  it('never echoes secrets in its messages', () => {
    const p = problems({
      DATABASE_URL: 'mysql://user:hunter2@host/db',
      RELAY_ENCRYPTION_KEY: 'short-secret',
    });
    expect(p.join('\n')).not.toContain('hunter2');
    expect(p.join('\n')).not.toContain('short-secret');
    expect(p.find((l) => l.startsWith('RELAY_ENCRYPTION_KEY:'))).toContain('32 bytes');
  });

  it('refuses a CDR poll faster than once per second', () => {
    expect(problems({ ...base, CDR_POLL_INTERVAL_MS: '200' })[0]).toMatch(/^CDR_POLL_INTERVAL_MS: /);
  });

  it('rejects a CDR table name that is not a plain identifier (no SQL injection through config)', () => {
    expect(problems({ ...base, PBX_CDR_TABLE: 'cdroutput; drop table x' })[0]).toMatch(
      /^PBX_CDR_TABLE: must be a plain table name/,
    );
  });

  it('parses the trunk→DID map and rejects malformed pairs', () => {
    expect(loadConfig({ ...base, PBX_TRUNK_DIDS: '10007=+4930123, 10008=+4989000' }).PBX_TRUNK_DIDS).toEqual({
      '10007': '+4930123',
      '10008': '+4989000',
    });
    expect(problems({ ...base, PBX_TRUNK_DIDS: '10007' })[0]).toMatch(
      /^PBX_TRUNK_DIDS: expected trunk=DID pairs/,
    );
  });

  it('reads PBX_DID_COUNTRY as an ISO country code (any case) and names it when it is not one', () => {
    expect(loadConfig({ ...base, PBX_DID_COUNTRY: 'ch' }).PBX_DID_COUNTRY).toBe('CH');
    expect(loadConfig(base).PBX_DID_COUNTRY).toBeUndefined();
    expect(problems({ ...base, PBX_DID_COUNTRY: 'Switzerland' })[0]).toMatch(
      /^PBX_DID_COUNTRY: must be an ISO 3166-1 country code/,
    );
    expect(loadConfig(base).CDR_PARTIAL_FLOW_WAIT_MS).toBe(60_000);
  });

  it('reads RELAY_CONFIG_FILE, with the environment taking precedence', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const file = path.join(dir, 'relay.env');
    writeFileSync(file, `DATABASE_URL=${base.DATABASE_URL}\nRELAY_PORT=9000\nLOG_LEVEL=debug\n`);
    const c = loadConfig({ RELAY_CONFIG_FILE: file, LOG_LEVEL: 'warn' });
    expect(c.RELAY_PORT).toBe(9000);
    expect(c.LOG_LEVEL).toBe('warn');
    expect(problems({ RELAY_CONFIG_FILE: path.join(dir, 'missing.env') })[0]).toMatch(
      /^RELAY_CONFIG_FILE: file not found/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a 32-byte encryption key as hex or base64', () => {
    expect(loadConfig({ ...base, RELAY_ENCRYPTION_KEY: 'ab'.repeat(32) }).RELAY_ENCRYPTION_KEY?.length).toBe(
      32,
    );
    expect(
      loadConfig({ ...base, RELAY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') })
        .RELAY_ENCRYPTION_KEY?.length,
    ).toBe(32);
  });

  it('gives the input-half timings sensible defaults and validates them', () => {
    const c = loadConfig(base);
    expect(c.CDR_OVERLAP_MS).toBe(5000);
    expect(c.CDR_FLOW_QUIET_MS).toBe(3000);
    expect(c.CALLCONTROL_END_GRACE_MS).toBe(2500);
    expect(c.WORKER_HEARTBEAT_MS).toBe(5000);
    expect(problems({ ...base, CALLCONTROL_END_GRACE_MS: '-1' })[0]).toMatch(/^CALLCONTROL_END_GRACE_MS:/);
    expect(problems({ ...base, WORKER_HEARTBEAT_MS: '10' })[0]).toMatch(/^WORKER_HEARTBEAT_MS:/);
  });

  it('gives the output-half settings the documented defaults and reads a compressed retry schedule', () => {
    const c = loadConfig(base);
    expect(c.DELIVERY_RETRY_SCHEDULE).toEqual([
      5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(c.DELIVERY_RETRY_JITTER).toBe(0.2);
    expect(c.DELIVERY_TIMEOUT_MS).toBe(15_000);
    expect(c.DELIVERY_DISABLE_AFTER_MS).toBe(5 * 86_400_000);
    expect(c.EVENT_RETENTION_DAYS).toBe(30);
    expect(c.WS_PING_INTERVAL_MS).toBe(25_000);
    expect(c.WS_MAX_BUFFERED_BYTES).toBe(1024 * 1024);
    expect(loadConfig({ ...base, DELIVERY_RETRY_SCHEDULE: '100ms,1s,2m' }).DELIVERY_RETRY_SCHEDULE).toEqual([
      100, 1000, 120_000,
    ]);
    expect(problems({ ...base, DELIVERY_RETRY_SCHEDULE: '5 fortnights' })[0]).toMatch(
      /^DELIVERY_RETRY_SCHEDULE: expected durations/,
    );
    expect(problems({ ...base, DELIVERY_RETRY_JITTER: '2' })[0]).toMatch(/^DELIVERY_RETRY_JITTER:/);
  });
});
