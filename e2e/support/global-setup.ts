import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { killRecordedChildren } from './children.js';
import { startStack } from './stack.js';
import { STATE_FILE } from './state.js';

/**
 * Starts the admin-only stack once for the whole run (the `live` project adds the simulator
 * and worker itself); the returned function tears it down, after killing any worker a test
 * process left behind.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const stack = await startStack({ log: (l) => process.stdout.write(`[stack] ${l}\n`) });
  mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  writeFileSync(
    STATE_FILE,
    JSON.stringify({
      origin: stack.admin.origin,
      databaseUrl: stack.databaseUrl,
      encryptionKey: stack.env.RELAY_ENCRYPTION_KEY,
    }),
  );
  process.env.E2E_ADMIN_ORIGIN = stack.admin.origin;
  return async () => {
    killRecordedChildren();
    await stack.stop();
  };
}
