import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth/current-user';
import { ThemeToggle } from '@/components/theme-toggle';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

/** The sign-in page; signed-in users go straight to the dashboard. */
export default async function LoginPage() {
  if (await currentUser()) redirect('/');
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 flex items-center justify-between">
          <h1 className="text-2xl font-semibold">3CX Relay</h1>
          <ThemeToggle />
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <h2 className="mb-4 text-lg font-medium">Sign in to the admin panel</h2>
          <LoginForm />
        </div>
      </div>
    </main>
  );
}
