import type { Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import type { FlowEnv, FlowResult } from './flow-kit.js';
import { ringInternal, startInternalCall } from './internal.js';
import { dialOut, startOutbound } from './outbound.js';

/** The started call: the caller's leg now, the whole flow later. */
export interface MakeCallStarted {
  leg: Leg;
  done: Promise<FlowResult>;
}

/**
 * Call Control `makecall` from `from` (route point or extension) to an extension or an
 * outside number. The extension answers after 4 s simulated unless the client acts first;
 * either side hangs up after 30 s. Null when the destination cannot be called.
 */
export function apiMakeCall(
  env: FlowEnv,
  from: DnEntry,
  destination: string,
  deviceId?: string,
): MakeCallStarted | null {
  const target = env.dir.find(destination);
  if (target && target.type !== 'Wextension') return null;
  if (!target && !/^\+?\d{4,20}$/.test(destination)) return null;
  const started = target ? startInternalCall(env, from, target) : startOutbound(env, from, destination);
  if (deviceId) started.call.updateLeg(started.leg, { device_id: deviceId });
  const done = target
    ? ringInternal(started.call, started.leg, target, 4_000, 30_000)
    : dialOut(env, started.call, started.leg, destination, 30_000);
  return { leg: started.leg, done };
}
