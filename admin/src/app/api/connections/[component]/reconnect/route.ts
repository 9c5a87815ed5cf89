import { z } from 'zod';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { sendControl } from '@/lib/control';
import { db } from '@/lib/db';
import { COMPONENTS } from '@/lib/data/components';

const Params = z.object({ component: z.enum(COMPONENTS.map((c) => c.id) as [string, ...string[]]) });

/** POST /admin/api/connections/:component/reconnect: asks the worker to reconnect (admin). */
export const POST = handleRoute<{ component: string }>('admin', async ({ req, user, params }) => {
  const { component } = Params.parse(params);
  const client = await db();
  const cmd = await sendControl(client, user, 'reconnect', { component });
  await audit(client, user, req.headers, {
    action: 'connection.reconnect',
    targetType: 'component',
    targetId: component,
    details: { commandId: cmd.id },
  });
  return { commandId: cmd.id };
});
