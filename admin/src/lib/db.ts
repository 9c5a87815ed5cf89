import 'server-only';
import type { Db } from '@3cx-relay/db';
import { config } from '@/config';
import { dbPackage } from './workspace';

const holder = globalThis as unknown as { __relayAdminDb?: Promise<Db> };

/** The Prisma client for this server process, created on first use and cached across hot reloads. */
export function db(): Promise<Db> {
  holder.__relayAdminDb ??= dbPackage().then(({ createDb }) =>
    createDb(config().databaseUrl, { max: 8, applicationName: '3cx-relay-admin' }),
  );
  return holder.__relayAdminDb;
}
