import { attendedTransfer } from '../call-flows/attended-transfer.js';
import { inboundMissed, ringingAtConnect } from '../call-flows/inbound-direct.js';
import { inboundQueueAnswered, queueAbandoned } from '../call-flows/inbound-queue.js';
import { blindTransfer, internalCall } from '../call-flows/internal.js';
import { outboundCall } from '../call-flows/outbound.js';
import { ringGroupFanout } from '../call-flows/ring-group.js';
import { apiMakeCallScenario } from '../call-flows/api-makecall.js';
import { bargeIn } from '../call-flows/barge-in.js';
import type { FlowEnv, FlowResult } from '../call-flows/flow-kit.js';
import { busyToQueue, forwardAllToQueue, inboundBusy } from '../call-flows/forwarding.js';
import { pickup } from '../call-flows/pickup.js';
import { queueCallback, queueCallbackFailed } from '../call-flows/queue-callback.js';
import { queueOverflow, queuePingpong } from '../call-flows/queue-routes.js';
import { inboundVoicemail, internalVoicemail } from '../call-flows/voicemail.js';

/** A named, seeded call flow. */
export type Scenario = (env: FlowEnv) => Promise<FlowResult>;

/** Every scenario by name. */
export const SCENARIOS: Record<string, Scenario> = {
  'inbound-queue-answered': inboundQueueAnswered,
  'inbound-missed': inboundMissed,
  'queue-abandoned': queueAbandoned,
  'ring-group-fanout': ringGroupFanout,
  outbound: outboundCall,
  internal: internalCall,
  'blind-transfer': blindTransfer,
  'attended-transfer': attendedTransfer,
  'ringing-at-connect': ringingAtConnect,
  voicemail: inboundVoicemail,
  'internal-voicemail': internalVoicemail,
  'busy-to-queue': busyToQueue,
  'forward-all-to-queue': forwardAllToQueue,
  busy: inboundBusy,
  'queue-overflow': queueOverflow,
  'queue-pingpong': queuePingpong,
  pickup,
  'barge-in': bargeIn,
  'queue-callback': queueCallback,
  'queue-callback-failed': queueCallbackFailed,
  'api-makecall': apiMakeCallScenario,
};

/** Relative weights of the load / demo mix (a plausible small-office day). */
export const LOAD_MIX: [string, number][] = [
  ['inbound-queue-answered', 5],
  ['inbound-missed', 1],
  ['queue-abandoned', 1],
  ['ring-group-fanout', 2],
  ['outbound', 3],
  ['internal', 2],
  ['blind-transfer', 1],
  ['attended-transfer', 1],
  ['voicemail', 2],
  ['internal-voicemail', 1],
  ['busy-to-queue', 1],
  ['forward-all-to-queue', 1],
  ['busy', 1],
  ['queue-overflow', 1],
  ['queue-pingpong', 1],
  ['pickup', 1],
  ['barge-in', 1],
  ['queue-callback', 1],
  ['queue-callback-failed', 1],
  ['api-makecall', 1],
];

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}
