import { startPostgres, type PgCluster } from '@3cx-relay/pg-cluster';
import { migrate } from '@3cx-relay/db/migrate';
import { TEMPLATE_DB } from '@3cx-relay/db/testing';

let cluster: PgCluster | undefined;

/** Starts one private PostgreSQL for the whole run and migrates the template test files clone. */
export async function setup(): Promise<void> {
  cluster = await startPostgres({ log: (l) => process.stderr.write(`[pg] ${l}\n`) });
  const templateUrl = await cluster.createDatabase(TEMPLATE_DB);
  await migrate(templateUrl);
  process.env.RELAY_TEST_PG_URL = cluster.url();
  process.env.RELAY_TEST_PG_PORT = String(cluster.port);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
