import { defineConfig } from '@playwright/test';

/**
 * Playwright across the running system, in Debian's Chromium (no browser download).
 * One worker: the tests share one stack (PostgreSQL + admin) started by the global setup,
 * and one saved login per role (the `auth` project). The `live` project adds the 3CX
 * simulator and the relay worker.
 */
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './support/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 15_000 },
  // No retries anywhere: a flaky test is a bug to fix, not to hide.
  retries: 0,
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : 'list',
  use: {
    baseURL: process.env.E2E_ADMIN_ORIGIN,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
        '--disable-gpu',
      ],
    },
  },
  projects: [
    { name: 'auth', testMatch: /auth\.setup\.ts/ },
    // Admin-only: these specs play the worker's part through the database, so no worker runs.
    { name: 'e2e', dependencies: ['auth'], testIgnore: [/auth\.setup\.ts/, /\.live\.spec\.ts/] },
    // With the 3CX simulator and the real worker (support/live-fixture.ts); runs after `e2e`
    // so the worker never races those specs (`--project=live --no-deps` runs it alone).
    { name: 'live', dependencies: ['auth', 'e2e'], testMatch: /\.live\.spec\.ts/, timeout: 60_000 },
  ],
});
