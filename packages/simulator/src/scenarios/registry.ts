import { attendedTransfer } from '../call-flows/attended-transfer.js';
import { inboundMissed, ringingAtConnect } from '../call-flows/inbound-direct.js';
import { inboundQueueAnswered, queueAbandoned } from '../call-flows/inbound-queue.js';
import { blindTransfer, internalCall } from '../call-flows/internal.js';
import { outboundCall } from '../call-flows/outbound.js';
import { ringGroupFanout } from '../call-flows/ring-group.js';
import type { FlowEnv, FlowResult } from '../call-flows/flow-kit.js';

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
];

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}
