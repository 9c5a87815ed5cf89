import pg from 'pg';
import type { Logger } from '../../logger.js';
import { guardPoolErrors } from '../../db/guard-pool-errors.js';
import { coerceError } from '../../errors.js';
import { findPhoneSystemIni, readPhoneSystemIni } from './parse-phone-system-ini.js';

/** Settings that locate 3CX's database (a subset of the worker config). */
export interface PbxDbSettings {
  PBX_DB_URL?: string | undefined;
  PBX_INI_PATH?: string | undefined;
  PBX_DB_HOST: string;
  PBX_DB_PORT?: number | undefined;
  PBX_DB_STATEMENT_TIMEOUT_MS: number;
  /** Use the ini's master account when it has no read-only login (default false). */
  PBX_DB_MASTER_FALLBACK?: boolean | undefined;
}

/** Where the connection settings came from, for status details (never contains the password). */
export type PbxDbResolution =
  { ok: true; config: pg.PoolConfig; source: string; warning?: string } | { ok: false; reason: string };

/**
 * Resolves the read-only connection to 3CX's database: an explicit `PBX_DB_URL` wins,
 * otherwise the ini (explicit path or the default locations), with `PBX_DB_HOST`/`PBX_DB_PORT`
 * as overrides and 127.0.0.1:5432 / `database_single` as defaults.
 */
export function resolvePbxDb(s: PbxDbSettings): PbxDbResolution {
  if (s.PBX_DB_URL) return { ok: true, config: { connectionString: s.PBX_DB_URL }, source: 'PBX_DB_URL' };
  const iniPath = findPhoneSystemIni(s.PBX_INI_PATH);
  if (!iniPath) {
    return {
      ok: false,
      reason: s.PBX_INI_PATH
        ? `ini not found at ${s.PBX_INI_PATH}`
        : 'no PBX_DB_URL and no 3CXPhoneSystem.ini at the default locations',
    };
  }
  let ini;
  try {
    ini = readPhoneSystemIni(iniPath, { allowMaster: s.PBX_DB_MASTER_FALLBACK ?? false });
  } catch (err) {
    return { ok: false, reason: `cannot read ${iniPath}: ${coerceError(err).message}` };
  }
  if (!ini.user || !ini.password)
    return {
      ok: false,
      reason:
        `${iniPath} has no read-only database credentials ([DbAdminREADONLY])` +
        (ini.hasMasterAccount
          ? '; the master account is not used unless PBX_DB_MASTER_FALLBACK=true (or set PBX_DB_URL)'
          : ''),
    };
  return {
    ok: true,
    source: iniPath,
    ...(ini.usedMasterAccount
      ? {
          warning: `${iniPath} has no [DbAdminREADONLY] account; using the master account with read-only sessions`,
        }
      : {}),
    config: {
      host: s.PBX_DB_HOST || ini.host || '127.0.0.1',
      port: s.PBX_DB_PORT ?? ini.port ?? 5432,
      database: ini.database ?? 'database_single',
      user: ini.user,
      password: ini.password,
    },
  };
}

/**
 * A small pool on 3CX's database in which every session is read-only
 * (`default_transaction_read_only = on`) with a statement timeout: the relay never writes there.
 */
export function createPbxDbPool(config: pg.PoolConfig, statementTimeoutMs: number, log: Logger): pg.Pool {
  const timeout = Math.floor(statementTimeoutMs);
  const pool = new pg.Pool({
    ...config,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5000,
    application_name: '3cx-relay-reader',
    // Startup parameters (the same as `SET default_transaction_read_only = on` and
    // `SET statement_timeout` at the start of every session): the session is read-only before
    // its first statement, and no second query races the pool's own.
    options: `-c default_transaction_read_only=on -c statement_timeout=${timeout}`,
  });
  return guardPoolErrors(pool, log, '3CX database');
}
