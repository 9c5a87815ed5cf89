import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import type pg from 'pg';

/**
 * Creates an API key the way the admin does (`rk_` + 12 hex, a dot, 32 random bytes
 * base64url; bcrypt of the secret), with 4 rounds instead of 12 to keep tests fast.
 */
export async function createApiKey(
  pool: pg.Pool,
  scopes: string[],
  opts: { rateLimitPerMinute?: number; expiresAt?: Date } = {},
): Promise<{ id: string; key: string; prefix: string }> {
  const prefix = `rk_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const res = await pool.query<{ id: string }>(
    `INSERT INTO api_keys (name, prefix, secret_hash, scopes, rate_limit_per_minute, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
    [
      `test ${prefix}`,
      prefix,
      await bcrypt.hash(secret, 4),
      scopes,
      opts.rateLimitPerMinute ?? null,
      opts.expiresAt ?? null,
    ],
  );
  return { id: res.rows[0]!.id, key: `${prefix}.${secret}`, prefix };
}

/** Revokes a key the way the admin does: set revoked_at, then a `reload-keys` control command + NOTIFY. */
export async function revokeApiKey(pool: pg.Pool, id: string): Promise<void> {
  await pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
  const cmd = await pool.query<{ id: string }>(
    `INSERT INTO control_commands (command, args) VALUES ('reload-keys', '{}') RETURNING id::text`,
  );
  await pool.query(`SELECT pg_notify('relay_control', $1)`, [
    JSON.stringify({ id: cmd.rows[0]!.id, command: 'reload-keys' }),
  ]);
}
