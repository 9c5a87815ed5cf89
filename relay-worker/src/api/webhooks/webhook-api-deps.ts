import type { Db } from '@3cx-relay/db';
import type { preHandlerAsyncHookHandler } from 'fastify';
import type pg from 'pg';
import type { DeliveryService } from '../../delivery/delivery-service.js';
import type { TestEventAppender } from '../../delivery/replay.js';

/** What the `/relay/webhooks` routes use. */
export interface WebhookApiDeps {
  db: Db;
  pool: pg.Pool;
  /** Authenticates with scope `webhooks:manage` or `webhooks:admin` (401/403/429). */
  auth: preHandlerAsyncHookHandler;
  delivery: Pick<DeliveryService, 'subscriptions' | 'dispatcher' | 'sendExample'>;
  /** The event store, for `relay.test` sends. */
  events: TestEventAppender;
  /** `RELAY_ENCRYPTION_KEY`; without it no subscription can be created or rotated (503). */
  encryptionKey: Buffer | undefined;
  /** Event retention (bounds recover), ms. */
  retentionMs: number;
}
