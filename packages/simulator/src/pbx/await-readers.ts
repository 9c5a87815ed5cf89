import type { Participant } from './participant.js';
import type { PbxState } from './pbx-state.js';

/**
 * Resolves once no watching client has a stale view of `participants` (each one read by a GET
 * since its last Upsert), or after `maxMs` real ms, whichever comes first. See the simulator
 * option `waitForReaders`: a test-determinism aid, never a 3CX behaviour.
 */
export function awaitReaders(
  state: PbxState,
  participants: () => Participant[],
  maxMs: number,
): Promise<void> {
  const pending = () => participants().some((p) => state.unread(p));
  if (!pending()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.off('served', check);
      resolve();
    };
    const check = () => {
      if (!pending()) done();
    };
    const timer = setTimeout(done, maxMs);
    state.on('served', check);
  });
}
