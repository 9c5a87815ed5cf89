'use client';

import { useEffect, useState } from 'react';

/** A duration in ms as `m:ss` or `h:mm:ss` (never negative). */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * The server's clock, ticking every second in the browser: the offset between the server's
 * time at render (`serverNow`) and the browser's is applied, so a browser whose clock is off
 * still shows the right durations.
 */
export function useServerNow(serverNow: string): number {
  const [offset, setOffset] = useState(0);
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    const o = Date.parse(serverNow) - Date.now();
    setOffset(o);
    setNow(Date.now() + o);
  }, [serverNow]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() + offset), 1000);
    return () => clearInterval(t);
  }, [offset]);
  return now;
}
