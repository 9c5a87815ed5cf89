import { handleRoute } from '@/lib/api/handle-route';
import { db } from '@/lib/db';
import { COMPONENTS } from '@/lib/data/components';
import { toJson } from '@/lib/data/json';

/** GET /admin/api/connections: current state of each component. */
export const GET = handleRoute('viewer', async () => {
  const rows = await (await db()).componentStatus.findMany();
  return toJson({
    components: COMPONENTS.map((c) => ({
      id: c.id,
      label: c.label,
      ...(rows.find((r) => r.component === c.id) ?? { status: 'unknown' }),
    })),
  });
});
