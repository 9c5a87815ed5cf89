import { migrate } from './migrate.js';

// `npm run migrate`: applies pending migrations to DATABASE_URL.
const [command] = process.argv.slice(2);
if (command !== 'migrate') {
  process.stderr.write('usage: cli.ts migrate   (reads DATABASE_URL)\n');
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("DATABASE_URL is not set: point it at the relay's own PostgreSQL database\n");
  process.exit(2);
}
try {
  const r = await migrate(url, { log: (l) => process.stdout.write(l + '\n') });
  process.stdout.write(
    `migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied\n`,
  );
} catch (err) {
  process.stderr.write(`migrate: ${(err as Error).message}\n`);
  process.exit(1);
}
