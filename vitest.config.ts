import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './vitest.sequencer.js';

// One Vitest run for every workspace's unit and integration tests. Playwright (e2e/) runs
// separately from scripts/test.ts. The global setup starts one private PostgreSQL cluster.
export default defineConfig({
  // The admin's `@/…` imports (its tsconfig path), for its unit tests.
  resolve: {
    alias: [{ find: /^@\//, replacement: fileURLToPath(new URL('./admin/src/', import.meta.url)) }],
  },
  test: {
    include: ['{relay-worker,prisma,packages/*,scripts,admin}/{src,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { sequencer: SlowFirstSequencer },
    pool: 'forks',
    maxWorkers: 2,
  },
});
