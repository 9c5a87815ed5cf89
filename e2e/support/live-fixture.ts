import { test as base } from '@playwright/test';
import { startLiveSystem, type LiveSystem } from './live-system.js';
import { simControl } from './sim-control.js';
import { stackState } from './state.js';

/** The simulator and worker beside the global stack, as the `live` specs see them. */
export interface Live {
  system: LiveSystem;
  workerUrl: string;
  sim: ReturnType<typeof simControl>;
}

/**
 * `test` with a worker-scoped `live` fixture: the 3CX simulator and the real relay worker
 * started once per test process against the global stack's database (the admin's encryption
 * key), stopped when the process ends. A failed test restarts the process, and with it both.
 */
export const test = base.extend<object, { live: Live }>({
  live: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's parameters from this pattern
    async ({}, use) => {
      const state = stackState();
      const system = await startLiveSystem({
        pgUrl: state.databaseUrl,
        databaseUrl: state.databaseUrl,
        encryptionKey: state.encryptionKey,
        log: (l) => process.stdout.write(`[live] ${l}\n`),
      });
      try {
        await use({ system, workerUrl: system.workerUrl!, sim: simControl(system.simulatorUrl!) });
      } finally {
        await system.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';
