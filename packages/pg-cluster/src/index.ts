export { startPostgres, freePort } from './cluster.js';
export type { PgCluster, StartPostgresOptions } from './cluster.js';
export { aptInstall, ensurePostgres, findPostgresBin } from './install.js';
