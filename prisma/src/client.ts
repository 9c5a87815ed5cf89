import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client/client.js';

/**
 * Secret columns are left out of every query unless a query asks for them with
 * `omit: { passwordHash: false }` (or `select`).
 */
export const SECRET_COLUMNS = {
  adminUser: { passwordHash: true },
  apiKey: { secretHash: true },
  webhookSecret: { ciphertext: true },
  webhookHeader: { valueCiphertext: true },
} as const;

export interface CreateDbOptions {
  /** Pool size. Default 10. */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/** Creates the Prisma client for the relay's own database. Call once per process (composition root). */
export function createDb(databaseUrl: string, opts: CreateDbOptions = {}) {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? '3cx-relay',
  });
  return new PrismaClient({ adapter, omit: SECRET_COLUMNS });
}

export type Db = ReturnType<typeof createDb>;
