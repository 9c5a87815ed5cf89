import type { Db } from '@3cx-relay/db';
import type { SessionUser } from '@/lib/auth/current-user';

/** Commands the worker understands on the `relay_control` channel. */
export type ControlCommandName =
  | 'reconnect'
  | 'reload-keys'
  | 'reload-subscriptions'
  | 'retry-delivery'
  | 'retry-failed'
  | 'recover'
  | 'send-test';

/**
 * Records a command for the worker in `control_commands` and NOTIFYs `relay_control` with
 * `{id, command, args}` in the same transaction (the notification is sent at COMMIT, so the
 * worker always finds the row). The row is the durable copy for a worker that was offline.
 */
export async function sendControl(
  db: Db,
  user: SessionUser,
  command: ControlCommandName,
  args: Record<string, unknown> = {},
): Promise<{ id: string }> {
  return db.$transaction(async (tx) => {
    const row = await tx.controlCommand.create({
      data: { command, args: args as never, requestedById: user.id },
    });
    const payload = JSON.stringify({ id: row.id.toString(), command, args });
    await tx.$executeRaw`SELECT pg_notify('relay_control', ${payload})`;
    return { id: row.id.toString() };
  });
}
