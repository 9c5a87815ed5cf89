'use client';

import { useRouter } from 'next/navigation';
import { api } from '@/lib/client/api';

/** Signs out through `POST /admin/api/logout`. */
export function LogoutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className="rounded-md px-2 py-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-800"
      onClick={() =>
        void api('/api/logout', { method: 'POST' })
          .catch(() => {})
          .then(() => {
            router.replace('/login');
            router.refresh();
          })
      }
    >
      Sign out
    </button>
  );
}
