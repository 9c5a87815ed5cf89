'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { BASE_PATH } from '@/lib/client/api';

/**
 * Subscribes to `/admin/api/live` and re-renders the page's server components when the worker
 * reports a change of one of `kinds` (within ~1 s, no polling). Shows a small live indicator.
 */
export function LiveRefresh({ kinds }: { kinds: string[] }) {
  const router = useRouter();
  const [connected, setConnected] = useState(false);
  const key = kinds.join(',');

  useEffect(() => {
    const wanted = new Set([...key.split(','), 'resync']);
    const source = new EventSource(`${BASE_PATH}/api/live`);
    let timer: ReturnType<typeof setTimeout> | null = null;
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = (msg) => {
      let kind: unknown;
      try {
        kind = (JSON.parse(msg.data as string) as { kind?: unknown }).kind;
      } catch {
        return;
      }
      if (typeof kind !== 'string') return;
      if (!wanted.has(kind) || timer) return;
      // coalesce bursts into one refresh
      timer = setTimeout(() => {
        timer = null;
        router.refresh();
      }, 150);
    };
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [key, router]);

  return (
    <span
      className="inline-flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400"
      data-testid="live-indicator"
      data-connected={connected}
    >
      <span className={`h-2 w-2 rounded-full ${connected ? 'bg-emerald-500' : 'bg-slate-400'}`} aria-hidden />
      {connected ? 'Live' : 'Connecting…'}
    </span>
  );
}
