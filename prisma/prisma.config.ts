import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate). Migrations are applied by src/migrate.ts.
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/relay' },
});
