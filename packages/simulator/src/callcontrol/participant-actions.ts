import type { Participant } from '../pbx/participant.js';
import type { SimContext } from '../sim-context.js';

/** The participant actions the simulator performs ([OFFICIAL S2] constants). */
export const ACTIONS = ['drop', 'answer', 'divert', 'routeto', 'transferto'] as const;
export type ParticipantAction = (typeof ACTIONS)[number];

/**
 * `CallControlResultResponse` as the REST API sends it (string `finalstatus`; a success says
 * `reason: "NotSpecified"`, [FIELD] makecall capture; see README).
 */
export interface CallControlResult {
  finalstatus: 'Success' | 'Failed';
  reason: string;
  reasontext: string;
  result: Participant | null;
}

const failed = (p: Participant | null, reason: string, reasontext: string): CallControlResult => ({
  finalstatus: 'Failed',
  reason,
  reasontext,
  result: p,
});

/** Reads `destination` whatever its case (the API binds JSON case-insensitively, [INFERRED]). */
export function destinationOf(body: Record<string, unknown>): string | undefined {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'destination');
  const v = key ? body[key] : undefined;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** Performs `action` on a live participant. */
export function performAction(
  ctx: SimContext,
  p: Participant,
  action: ParticipantAction,
  body: Record<string, unknown>,
): CallControlResult {
  const call = ctx.state.callOf(p.id);
  const leg = call && [...call.legs].find((l) => l.participant.id === p.id);
  if (!call || !leg) return failed(p, 'NotFound', 'The participant has no call.');
  const destination = destinationOf(body);
  if (action === 'answer' && p.status !== 'Ringing')
    return failed(p, 'InvalidState', 'Only a ringing participant can answer.');
  if (action === 'divert' && p.status !== 'Ringing')
    return failed(p, 'InvalidState', 'Only a ringing call can be diverted.');
  if (action === 'transferto' && p.status !== 'Connected')
    return failed(p, 'InvalidState', 'Only a connected call can be transferred.');
  if (action !== 'drop' && action !== 'answer') {
    if (!destination) return failed(p, 'InvalidDestination', 'destination is required.');
    const target = ctx.dir.find(destination);
    if (!target || target.type !== 'Wextension')
      return failed(p, 'InvalidDestination', `Cannot route to ${destination}.`);
  }
  call.signal({
    kind: 'action',
    leg,
    action: action === 'routeto' && p.status === 'Connected' ? 'transferto' : action,
    ...(destination ? { destination } : {}),
  });
  return { finalstatus: 'Success', reason: 'NotSpecified', reasontext: '', result: p };
}
