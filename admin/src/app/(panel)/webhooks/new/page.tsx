import type { Metadata } from 'next';
import { Card, PageHeader } from '@/components/ui';
import { requirePageUser } from '@/lib/auth/current-user';
import { eventsPackage } from '@/lib/workspace';
import { WebhookForm } from '../webhook-form';

export const metadata: Metadata = { title: 'New webhook' };

/** Create a subscription (admins). */
export default async function NewWebhookPage() {
  await requirePageUser('admin');
  const { EVENT_TYPES } = await eventsPackage();
  return (
    <>
      <PageHeader title="New webhook subscription" />
      <Card>
        <WebhookForm eventTypes={[...EVENT_TYPES]} />
      </Card>
    </>
  );
}
