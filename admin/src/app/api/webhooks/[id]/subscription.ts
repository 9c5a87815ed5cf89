import type { Db } from '@3cx-relay/db';
import { z } from 'zod';
import { notFound } from '@/lib/api/app-error';

const Params = z.object({ id: z.uuid('must be a subscription id') });

/** Parses `:id` and loads the subscription, or throws 400/404. */
export async function loadSubscription(db: Db, params: { id: string }) {
  const { id } = Params.parse(params);
  const sub = await db.webhookSubscription.findUnique({ where: { id } });
  if (!sub) throw notFound('Subscription');
  return sub;
}
