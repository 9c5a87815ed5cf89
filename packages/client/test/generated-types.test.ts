import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  activeCallSchema,
  callHistoryPageSchema,
  createdSubscriptionSchema,
  deliveryHealthSchema,
  deliveryViewSchema,
  relayEventSchema,
  snapshotMessageSchema,
  subscriptionViewSchema,
} from '@3cx-relay/events';
import type {
  ActiveCall,
  CallHistoryPage,
  CreatedSubscription,
  Delivery,
  DeliveryHealth,
  RelayEvent,
  Snapshot,
  Subscription,
} from '../src/index.js';
import { catalogueTypes } from '../scripts/catalogue-types.js';

describe('types generated from the catalogue', () => {
  it('src/generated/relay-types.ts is what the catalogue generates now (run npm run generate -w @3cx-relay/client)', async () => {
    const committed = readFileSync(new URL('../src/generated/relay-types.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await catalogueTypes());
  });

  it('equal the types the relay validates with (checked by tsc)', () => {
    expectTypeOf<RelayEvent>().toEqualTypeOf<z.infer<typeof relayEventSchema>>();
    expectTypeOf<ActiveCall>().toEqualTypeOf<z.infer<typeof activeCallSchema>>();
    expectTypeOf<Snapshot>().toEqualTypeOf<z.infer<typeof snapshotMessageSchema>>();
    expectTypeOf<Subscription>().toEqualTypeOf<z.infer<typeof subscriptionViewSchema>>();
    expectTypeOf<CreatedSubscription>().toEqualTypeOf<z.infer<typeof createdSubscriptionSchema>>();
    expectTypeOf<Delivery>().toEqualTypeOf<z.infer<typeof deliveryViewSchema>>();
    expectTypeOf<DeliveryHealth>().toEqualTypeOf<z.infer<typeof deliveryHealthSchema>>();
    expectTypeOf<CallHistoryPage>().toEqualTypeOf<z.infer<typeof callHistoryPageSchema>>();
  });
});
