import { canSee } from '../auth/bearer.js';
import type { ApiClient } from '../auth/token-store.js';
import { apiMakeCall } from '../call-flows/api-makecall.js';
import type { Participant } from '../pbx/participant.js';
import type { SimContext } from '../sim-context.js';
import { dnState, visibleDns } from './dn-state.js';
import { ACTIONS, destinationOf, performAction, type ParticipantAction } from './participant-actions.js';

/** A Call Control answer before it goes on the wire (HTTP or a WS Response event). */
export interface CcResponse {
  status: number;
  body: unknown;
}

const notFound: CcResponse = { status: 404, body: null };

/** A GET of one participant the DN cannot directly control ([FIELD] route-point view, pocket-dial #40). */
const forbiddenLeg: CcResponse = {
  status: 403,
  body: { error: { code: 'Forbidden', message: 'The participant is not controlled by this DN.' } },
};

/** A leg the API can act on directly: one on a route point, or a uaCSTA device (`direct_control`). */
function controllable(ctx: SimContext, p: Participant): boolean {
  return p.direct_control || ctx.dir.routePoints.some((r) => r.number === p.dn);
}

/**
 * Records, for the `waitForReaders` option, that a client asked for the participants a GET of
 * `segments` covers: the moment it is answered counts, whatever the answer (a fault's 500 or
 * broken body included), so a client that cannot read never holds a call up.
 */
export function markRead(ctx: SimContext, segments: string[]): void {
  const [root, dn, kind, id] = segments;
  if (root !== 'callcontrol' || (kind !== undefined && kind !== 'participants')) return;
  const { state } = ctx;
  if (dn === undefined)
    state.markServed(state.liveParticipants().flatMap(([d, i]) => state.participant(d, i) ?? []));
  else if (id === undefined) state.markServed(state.participantsOf(dn));
  else
    state.markServed(
      /^\d+$/.test(id) ? [state.participant(dn, Number(id))].filter((p) => p !== undefined) : [],
    );
}

/**
 * The Call Control REST surface as a function, shared by HTTP and WebSocket requests.
 * `path` is the full path (`/callcontrol/...`), already URL-decoded per segment.
 */
export function callControl(
  ctx: SimContext,
  client: ApiClient,
  method: string,
  segments: string[],
  body: Record<string, unknown>,
): CcResponse {
  const [root, dnNumber, kind, id, verb] = segments;
  if (root !== 'callcontrol') return notFound;
  if (dnNumber === undefined) {
    return method === 'GET'
      ? { status: 200, body: visibleDns(ctx, client).map((d) => dnState(ctx, d)) }
      : notFound;
  }
  const dn = ctx.dir.find(dnNumber);
  if (!dn) return notFound;
  if (!canSee(client, dnNumber)) {
    return {
      status: 403,
      body: { error: { code: 'Forbidden', message: `DN ${dnNumber} is not monitored by this client.` } },
    };
  }
  if (kind === undefined) return method === 'GET' ? { status: 200, body: dnState(ctx, dn) } : notFound;
  if (kind === 'makecall' && method === 'POST' && id === undefined) return makeCall(ctx, dnNumber, body);
  if (kind === 'participants') {
    if (id === undefined)
      return method === 'GET' ? { status: 200, body: ctx.state.participantsOf(dnNumber) } : notFound;
    const p = /^\d+$/.test(id) ? ctx.state.participant(dnNumber, Number(id)) : undefined;
    if (!p) return notFound; // gone after its Remove event ([FIELD S6])
    if (verb === undefined) {
      if (method !== 'GET') return notFound;
      if (ctx.opts.participantGetForbidden && !controllable(ctx, p)) return forbiddenLeg;
      return { status: 200, body: p };
    }
    if (method !== 'POST' || !(ACTIONS as readonly string[]).includes(verb)) return notFound;
    // Only a route point's own legs and uaCSTA devices can be answered remotely ([OFFICIAL]).
    if (verb === 'answer' && !controllable(ctx, p)) return { status: 422, body: null };
    return { status: 200, body: performAction(ctx, p, verb as ParticipantAction, body) };
  }
  if (kind === 'devices') {
    const devices = ctx.state.devicesOf(dnNumber);
    if (id === undefined) return method === 'GET' ? { status: 200, body: devices } : notFound;
    const device = devices.find((d) => d.device_id === id);
    if (!device) return notFound;
    if (verb === undefined) return method === 'GET' ? { status: 200, body: device } : notFound;
    if (verb === 'makecall' && method === 'POST') return makeCall(ctx, dnNumber, body, device.device_id);
  }
  return notFound;
}

function makeCall(
  ctx: SimContext,
  from: string,
  body: Record<string, unknown>,
  deviceId?: string,
): CcResponse {
  const destination = destinationOf(body);
  const dn = ctx.dir.find(from);
  const started = destination && dn ? apiMakeCall(ctx.flowEnv(), dn, destination, deviceId) : null;
  if (!started) {
    return {
      status: 200,
      body: {
        finalstatus: 'Failed',
        reason: 'InvalidDestination',
        reasontext: `Cannot call ${destination ?? '(none)'}.`,
        result: null,
      },
    };
  }
  ctx.spawn(started.done);
  return {
    status: 200,
    body: {
      finalstatus: 'Success',
      reason: 'NotSpecified',
      reasontext: 'Dialing',
      result: started.leg.participant,
    },
  };
}
