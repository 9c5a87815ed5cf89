/**
 * Calls `fn` at most once per `intervalMs`: the first trigger runs at once, triggers within the
 * interval collapse into one trailing run at its end, so the latest change is never dropped.
 */
export function throttle(fn: () => void, intervalMs: number): { trigger(): void; cancel(): void } {
  let lastRun = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    lastRun = Date.now();
    fn();
  };
  return {
    trigger() {
      if (timer) return;
      const wait = lastRun + intervalMs - Date.now();
      if (wait <= 0) run();
      else {
        timer = setTimeout(run, wait);
        timer.unref?.();
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
