import 'server-only';

import type * as DbModule from '@3cx-relay/db';
import type * as EventsModule from '@3cx-relay/events';

type DbPackage = typeof DbModule;
type EventsPackage = typeof EventsModule;

const holder = globalThis as unknown as { __relayTsx?: Promise<void> };

/**
 * The workspace packages export TypeScript source with NodeNext `.js` import suffixes. Next's
 * bundler (Turbopack 16.4, no `extensionAlias`) cannot resolve those, so the bundler is told to
 * leave these imports alone and Node loads them at run time through tsx's loader hooks,
 * registered once per process. Import them only through these functions.
 */
async function withTsx<T>(load: () => Promise<T>): Promise<T> {
  holder.__relayTsx ??= import(/* turbopackIgnore: true */ /* webpackIgnore: true */ 'tsx/esm/api').then(
    (m) => {
      m.register();
    },
  );
  await holder.__relayTsx;
  return load();
}

/** `@3cx-relay/db` (Prisma client factory, seed helpers). */
export function dbPackage(): Promise<DbPackage> {
  return withTsx(() => import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@3cx-relay/db'));
}

/** `@3cx-relay/events` (secret box for webhook signing secrets). */
export function eventsPackage(): Promise<EventsPackage> {
  return withTsx(() => import(/* turbopackIgnore: true */ /* webpackIgnore: true */ '@3cx-relay/events'));
}
