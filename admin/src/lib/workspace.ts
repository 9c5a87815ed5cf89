import 'server-only';

import { createRequire } from 'node:module';
import type * as DbModule from '@3cx-relay/db';
import type * as EventsModule from '@3cx-relay/events';

type DbPackage = typeof DbModule;
type EventsPackage = typeof EventsModule;

const holder = globalThis as unknown as { __relayTsx?: Promise<void> };

/**
 * The workspace packages are loaded by Node at run time, never bundled: Turbopack 16.4 cannot
 * resolve their NodeNext `.js` import suffixes (no `extensionAlias`). Installed releases run
 * with `--conditions=relay-compiled` (bin/3cx-relay-admin), which resolves them to their
 * compiled `dist/`: no TypeScript loader ever runs there. Only when a package resolves to its
 * `.ts` source (a checkout, `npm start`, the tests) is tsx's loader registered first, once per
 * process. Import them only through these functions.
 */
async function load<T>(specifier: string, importIt: () => Promise<T>): Promise<T> {
  // Resolved the way the import below will be (same conditions), from the admin's folder.
  const target = createRequire(`${process.cwd()}/`).resolve(specifier);
  if (target.endsWith('.ts')) {
    holder.__relayTsx ??= import(/* turbopackIgnore: true */ /* webpackIgnore: true */ 'tsx/esm/api').then(
      (m) => {
        m.register();
      },
    );
    await holder.__relayTsx;
  }
  return importIt();
}

/** `@3cx-relay/db` (Prisma client factory, seed helpers). */
export function dbPackage(): Promise<DbPackage> {
  return load(
    '@3cx-relay/db',
    () => import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@3cx-relay/db'),
  );
}

/** `@3cx-relay/events` (secret box for webhook signing secrets). */
export function eventsPackage(): Promise<EventsPackage> {
  return load(
    '@3cx-relay/events',
    () => import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@3cx-relay/events'),
  );
}
