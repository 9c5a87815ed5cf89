export { createDb, SECRET_COLUMNS } from './client.js';
export type { Db, CreateDbOptions } from './client.js';
export { migrate, pendingMigrations, readMigrations, MigrationError, MIGRATIONS_DIR } from './migrate.js';
export type { Migration, MigrateResult } from './migrate.js';
export {
  ensureFirstAdmin,
  hashPassword,
  generatePassword,
  BCRYPT_ROUNDS,
  clearLoginBlocks,
  LOGIN_ACCOUNT_CLIENT_PREFIX,
} from './seed.js';
export type { FirstAdmin } from './seed.js';
export * from '../generated/client/client.js';
