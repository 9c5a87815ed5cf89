import type { Metadata } from 'next';
import { LiveRefresh } from '@/components/live-refresh';
import { PageHeader } from '@/components/ui';
import { db } from '@/lib/db';
import { readWallboard } from '@/lib/data/wallboard';
import { WallboardView } from './wallboard-view';

export const metadata: Metadata = { title: 'Wallboard' };
export const dynamic = 'force-dynamic';

/** The live wallboard: queues, calls in progress and agents, refreshed on the worker's notifications. */
export default async function WallboardPage() {
  const data = await readWallboard(await db());
  return (
    <>
      <PageHeader title="Wallboard">
        <LiveRefresh kinds={['wallboard']} />
      </PageHeader>
      <WallboardView data={data} />
    </>
  );
}
