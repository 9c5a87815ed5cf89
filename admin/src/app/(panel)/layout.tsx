import Link from 'next/link';
import type { ReactNode } from 'react';
import { requirePageUser } from '@/lib/auth/current-user';
import { LogoutButton } from '@/components/logout-button';
import { Nav } from '@/components/nav';
import { ThemeToggle } from '@/components/theme-toggle';
import { Badge } from '@/components/ui';

/** Frame of every signed-in page: header with navigation and user menu. */
export default async function PanelLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-7xl flex-col gap-2 px-4 py-3">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span className="font-semibold">3CX Relay</span>
            <div className="flex min-w-0 flex-wrap items-center gap-2 text-sm">
              <Link
                href="/account"
                className="max-w-[14rem] truncate hover:underline"
                data-testid="current-user"
                title="Your account"
              >
                {user.email}
              </Link>
              <Badge tone={user.role === 'admin' ? 'blue' : 'gray'}>{user.role}</Badge>
              <ThemeToggle />
              <LogoutButton />
            </div>
          </div>
          <Nav isAdmin={user.role === 'admin'} />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
