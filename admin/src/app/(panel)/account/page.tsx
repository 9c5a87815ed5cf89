import { requirePageUser } from '@/lib/auth/current-user';
import { ChangePasswordForm } from './change-password-form';

/** The signed-in user's own account: change the password. */
export default async function AccountPage() {
  const user = await requirePageUser();
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Your account</h1>
      <p className="text-sm text-slate-500">
        Signed in as {user.email} ({user.role}). Changing the password signs you out everywhere else.
      </p>
      <ChangePasswordForm />
    </div>
  );
}
