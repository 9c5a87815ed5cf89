'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, ApiError } from '@/lib/client/api';
import { Button } from './ui';

/**
 * A button that calls one admin API route, optionally after a confirm dialog, then refreshes
 * the page and shows the outcome in a polite live region.
 */
export function ActionButton({
  path,
  method = 'POST',
  body,
  label,
  done,
  confirm: confirmText,
  variant = 'secondary',
  testId,
}: {
  path: string;
  method?: 'POST' | 'DELETE' | 'PATCH';
  body?: unknown;
  label: string;
  done: string;
  confirm?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  testId?: string;
}) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <Button type="button" variant={variant} disabled={busy} data-testid={testId} onClick={() => void run()}>
        {label}
      </Button>
      <span aria-live="polite" className="text-xs text-slate-500 dark:text-slate-400">
        {msg}
      </span>
    </span>
  );

  async function run() {
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(true);
    setMsg(null);
    try {
      await api(path, { method, body });
      setMsg(done);
      router.refresh();
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : 'Failed');
    } finally {
      setBusy(false);
    }
  }
}
