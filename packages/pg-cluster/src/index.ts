export { startPostgres, freePort } from './cluster.js';
export type { PgCluster, StartPostgresOptions } from './cluster.js';
export { ensurePostgres, findPostgresBin } from './install.js';
