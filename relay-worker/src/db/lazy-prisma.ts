import type { Db } from '@3cx-relay/db';

/** A Prisma client created on first need (see {@link lazyPrisma}). */
export interface LazyPrisma {
  /** The client; usable once {@link LazyPrisma.ready} has resolved. */
  db: Db;
  /** Loads Prisma and connects (once); later calls resolve at once. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The worker's Prisma client, loaded only when something needs it (the webhook management API).
 * Prisma's runtime and query-compiler WebAssembly cost about 45 MB resident, which an idle
 * worker, and most workers ever, do without: everything else runs raw SQL on the pg pool. Code
 * that holds `db` must await `ready()` first (a route's preHandler does); using it before throws.
 */
export function lazyPrisma(databaseUrl: string, opts: { max: number; applicationName: string }): LazyPrisma {
  let real: Db | undefined;
  let loading: Promise<void> | undefined;
  const db = new Proxy({} as Db, {
    get(_target, prop) {
      if (!real) throw new Error(`the Prisma client was used before ready() (${String(prop)})`);
      const value: unknown = Reflect.get(real, prop, real);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
  });
  return {
    db,
    ready() {
      loading ??= import('@3cx-relay/db').then(({ createDb }) => {
        real = createDb(databaseUrl, opts);
      });
      return loading;
    },
    async close() {
      await real?.$disconnect();
    },
  };
}
