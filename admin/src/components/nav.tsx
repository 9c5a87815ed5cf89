'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/', label: 'Dashboard' },
  { href: '/wallboard', label: 'Wallboard' },
  { href: '/agents', label: 'Agents' },
  { href: '/connections', label: 'Connections' },
  { href: '/errors', label: 'Errors' },
  { href: '/api-keys', label: 'API keys' },
  { href: '/webhooks', label: 'Webhooks' },
  { href: '/users', label: 'Users', adminOnly: true },
  { href: '/audit', label: 'Audit log' },
];

/** The main navigation; scrolls sideways on a phone. */
export function Nav({ isAdmin }: { isAdmin: boolean }) {
  const path = usePathname();
  return (
    <nav aria-label="Main" className="-mx-1 flex gap-1 overflow-x-auto">
      {LINKS.filter((l) => isAdmin || !l.adminOnly).map((l) => {
        const active = l.href === '/' ? path === '/' : path.startsWith(l.href);
        return (
          <Link
            key={l.href}
            href={l.href}
            aria-current={active ? 'page' : undefined}
            className={`whitespace-nowrap rounded-md px-3 py-1.5 text-sm ${
              active ? 'bg-sky-600 text-white' : 'hover:bg-slate-200 dark:hover:bg-slate-800'
            }`}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
