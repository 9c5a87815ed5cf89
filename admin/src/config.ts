import { z } from 'zod';

const encryptionKey = z.string().transform((v, ctx) => {
  const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as base64 or 64 hex characters' });
    return z.NEVER;
  }
  return key;
});

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  NEXTAUTH_URL: z.url('must be the absolute URL of the panel, e.g. http://127.0.0.1:3000/admin/api/auth'),
  RELAY_ENCRYPTION_KEY: encryptionKey,
  RELAY_PUBLIC_URL: z.url().optional(),
  /**
   * The value nginx sends in `X-Relay-Proxy` (install.sh generates it for both). Only requests
   * carrying it have their `X-Real-IP` believed; without it every caller counts as one local client.
   */
  TRUSTED_PROXY_SECRET: z.string().min(24, 'must be at least 24 characters').optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

/** The admin panel's validated settings. */
export interface AdminConfig {
  databaseUrl: string;
  nextAuthSecret: string;
  nextAuthUrl: string;
  /** 32-byte AES-256-GCM key for webhook signing secrets. */
  encryptionKey: Buffer;
  /** Public origin (e.g. https://pbx.example.com), also accepted as an Origin for mutations. */
  publicUrl: string | undefined;
  /**
   * The exact origins (scheme, host and port) a mutation's `Origin` may name: those of
   * NEXTAUTH_URL and RELAY_PUBLIC_URL.
   */
  allowedOrigins: Set<string>;
  /** See TRUSTED_PROXY_SECRET; undefined = no proxy is trusted. */
  trustedProxySecret: string | undefined;
  /** Cookies get `Secure` when the panel is reached over https. */
  secureCookies: boolean;
  /** `next dev`: the CSP allows eval for React's dev tooling. */
  isDev: boolean;
}

/** Parses settings from an env-like object; throws one readable line per bad setting. */
export function parseConfig(env: Record<string, string | undefined>): AdminConfig {
  const r = schema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
    throw new Error(`Invalid admin configuration:\n${lines.join('\n')}`);
  }
  const e = r.data;
  return {
    databaseUrl: e.DATABASE_URL,
    nextAuthSecret: e.NEXTAUTH_SECRET,
    nextAuthUrl: e.NEXTAUTH_URL,
    encryptionKey: e.RELAY_ENCRYPTION_KEY,
    publicUrl: e.RELAY_PUBLIC_URL,
    allowedOrigins: new Set(
      [e.NEXTAUTH_URL, e.RELAY_PUBLIC_URL].filter((u): u is string => !!u).map((u) => new URL(u).origin),
    ),
    trustedProxySecret: e.TRUSTED_PROXY_SECRET,
    secureCookies: e.NEXTAUTH_URL.startsWith('https:') || (e.RELAY_PUBLIC_URL?.startsWith('https:') ?? false),
    isDev: e.NODE_ENV === 'development',
  };
}

let cached: AdminConfig | undefined;

/**
 * The settings, read from `process.env` once on first use (not at import, so `next build`
 * runs without them). The only place in the admin that reads `process.env`.
 */
export function config(): AdminConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
