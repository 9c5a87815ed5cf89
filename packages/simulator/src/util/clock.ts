/** Raised inside call flows when the PBX restarts or the simulator stops under them. */
export class FlowAborted extends Error {
  constructor(reason: string) {
    super(`call flow aborted: ${reason}`);
    this.name = 'FlowAborted';
  }
}

/**
 * Waits `simMs` of simulated time, i.e. `simMs * timeScale` real milliseconds.
 * Rejects with {@link FlowAborted} when `signal` aborts first.
 */
export function sleepSim(simMs: number, timeScale: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FlowAborted(String(signal.reason)));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FlowAborted(String(signal?.reason)));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, simMs * timeScale),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ISO 8601 UTC with milliseconds and `Z`, the form XAPI's date-time pattern accepts. */
export function isoUtc(d: Date): string {
  return d.toISOString();
}

/** An ISO 8601 duration (`PT12.345S`), as XAPI serialises TimeSpan values. */
export function isoDuration(ms: number): string {
  const total = Math.max(0, ms) / 1000;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Number((total % 60).toFixed(3));
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s}S`;
}
