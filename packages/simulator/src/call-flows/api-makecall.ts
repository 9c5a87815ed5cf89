import type { Call, Leg } from '../pbx/call.js';
import type { DnEntry } from '../pbx/directory.js';
import { dialingFields } from '../pbx/parties.js';
import { finish, hold, type FlowEnv, type FlowResult } from './flow-kit.js';
import { ringInternal, startInternalCall } from './internal.js';
import { dialOut, startOutbound } from './outbound.js';

/** Simulated ms 3CX takes to route a `makecall` leg (its party is `None` until then). */
const ROUTING_MS = 500;

/** The started call: the caller's leg now, the whole flow later. */
export interface MakeCallStarted {
  leg: Leg;
  done: Promise<FlowResult>;
}

/**
 * Call Control `makecall` from `from` (route point or extension) to an extension, a route
 * point or an outside number. The caller's leg starts unrouted (`party_dn_type` `None`, [FIELD]) and is
 * routed a moment later. An extension answers after 4 s simulated unless the client acts
 * first; one that declines or does not answer sends the caller to its voicemail (special
 * menu). A route point rings until its app answers. Either side hangs up after 30 s. Null when the destination cannot be called.
 */
export function apiMakeCall(
  env: FlowEnv,
  from: DnEntry,
  destination: string,
  deviceId?: string,
): MakeCallStarted | null {
  const target = env.dir.find(destination);
  if (target && target.type !== 'Wextension' && target.type !== 'Wroutepoint') return null;
  // A route point's leg rings until its app answers it; it has no voicemail.
  const app = target?.type === 'Wroutepoint';
  if (!target && !/^\+?\d{4,20}$/.test(destination)) return null;
  const { call, leg } = target
    ? startInternalCall(env, from, target, true)
    : startOutbound(env, from, destination, true);
  if (deviceId) call.updateLeg(leg, { device_id: deviceId });
  const started = { call, leg: { ...leg } };
  const done = (async () => {
    if (!(await hold(call, ROUTING_MS))) return finish(call, 'cancelled');
    if (from.type === 'Wextension') makeCallRow(call);
    const party = target
      ? { dn: target, number: target.number, name: target.name }
      : { dn: env.dir.trunk, number: destination, name: '' };
    call.updateLeg(leg, dialingFields(call, party));
    return target
      ? ringInternal(call, leg, target, app ? null : 4_000, 30_000, app ? undefined : env)
      : dialOut(env, call, leg, destination, 30_000);
  })();
  return { leg: started.leg, done };
}

/**
 * A click-to-call from an extension starts its flow with a row from the `MakeCall` service
 * (`source_entity_type = 'ivr'`, `source_dn_number = 'MakeCall'`: [FIELD] field review §1.4,
 * dashboards exclude these rows) to the calling extension, answered by its phone at once
 * ([INFERRED]); the extension's row to the destination continues it.
 */
function makeCallRow(call: Call): void {
  const cdr = call.cdr;
  const service = {
    participantId: cdr.participantId(),
    entityType: 'ivr',
    dnNumber: 'MakeCall',
    dnType: 'ivr',
    dnName: 'MakeCall',
    participantName: 'MakeCall',
    phoneNumber: 'MakeCall',
    trunkDid: null,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: null,
  };
  const row = cdr.hop(cdr.callerParty, { method: 'call_init', forwardReason: 'none', source: service });
  cdr.answer(row);
}

/** Scenario `api-makecall`: extension 100 clicks to call 0123456789 (Call Control `makecall`). */
export function apiMakeCallScenario(env: FlowEnv): Promise<FlowResult> {
  const started = apiMakeCall(env, env.dir.find('100')!, '0123456789');
  if (!started) throw new Error('makecall from 100 refused');
  return started.done;
}
