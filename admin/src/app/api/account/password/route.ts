import { NextResponse } from 'next/server';
import { AppError } from '@/lib/api/app-error';
import { handleRoute } from '@/lib/api/handle-route';
import { audit } from '@/lib/audit';
import { throttlePasswordCheck } from '@/lib/auth/authenticate';
import { checkPassword } from '@/lib/auth/password-check';
import { startSession } from '@/lib/auth/start-session';
import { ChangeOwnPassword, setPassword } from '@/lib/data/users';
import { db } from '@/lib/db';

/**
 * POST /admin/api/account/password `{currentPassword, newPassword}` (any signed-in user): checks
 * the current password (charged to the same limits as a sign-in), sets the new one, ends every
 * session of the user, lifts their sign-in blocks, and starts a fresh session for this browser.
 */
export const POST = handleRoute('viewer', async ({ req, user, body }) => {
  const { currentPassword, newPassword } = await body(ChangeOwnPassword);
  const client = await db();
  const succeeded = await throttlePasswordCheck(client, user.email, req.headers);
  const row = await client.adminUser.findUnique({
    where: { id: user.id },
    select: { passwordHash: true },
  });
  if (!(await checkPassword(currentPassword, row?.passwordHash))) {
    await audit(client, user, req.headers, {
      action: 'user.password_change_failed',
      targetType: 'admin_user',
      targetId: user.id,
    });
    throw new AppError('WRONG_PASSWORD', 'The current password is wrong');
  }
  await succeeded();
  await setPassword(client, user.id, newPassword);
  await audit(client, user, req.headers, {
    action: 'user.password_changed',
    targetType: 'admin_user',
    targetId: user.id,
  });
  const res = NextResponse.json({ ok: true });
  await startSession(res, user, req.headers);
  return res;
});
