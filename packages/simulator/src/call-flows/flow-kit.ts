import type { OpenCdrOptions } from '../cdr/cdr-builder.js';
import type { CdrParty, CdrRow } from '../cdr/cdr-row.js';
import { Call, type CallContext, type Leg } from '../pbx/call.js';
import type { Did, DnEntry, PbxDirectory } from '../pbx/directory.js';
import type { OfferOutcome } from '../pbx/offer.js';
import { callerParty, dnParty, externalCaller, internalCaller, ringingFields } from '../pbx/parties.js';
import { talk, type TalkOptions } from '../pbx/talk.js';

/** What a call flow script gets. */
export interface FlowEnv {
  ctx: CallContext;
  dir: PbxDirectory;
}

/** What a finished flow reports. */
export interface FlowResult {
  callid: number;
  callHistoryId: string;
  /** e.g. `answered`, `missed`, `abandoned`. */
  outcome: string;
  /** Extension that answered, if any. */
  answeredBy?: string;
  cdrIds: string[];
  /** Other callids of the same flow (the caller's call, when a queue callback wrote the flow). */
  relatedCallids?: number[];
}

/** Display names of outside callers; null: 3CX shows no name, `source_presentation` is the CLI. */
const CALLER_NAMES = ['Nathan Jones', null, 'Mia Keller', 'Luca Rossi', null];

/**
 * Starts an inbound trunk call to DID `didIndex` from a seeded random CLI (and name). Like every
 * trunk call on V20 it starts with a `call_init` row to the `inbound_routing` participant, whose
 * number is the DID as the trunk delivered it ([OFFICIAL] CDR guide, [FIELD] field review §1.2);
 * the first hop continues it (`continued_in`/`by_did`).
 */
export function startInbound(env: FlowEnv, didIndex = 0): Call {
  const digits = env.ctx.rng.int(10000000, 99999999);
  const cli = `+4915${digits}`;
  // Derived from the CLI, not drawn: the seeded choices after it stay what they were.
  const name = CALLER_NAMES[digits % CALLER_NAMES.length] ?? null;
  const did = env.dir.dids[didIndex] ?? env.dir.dids[0];
  if (!did) throw new Error('the trunk has no DID');
  const caller = externalCaller(cli, did, name);
  const call = new Call(env.ctx, caller, callerParty(caller, env.ctx.ids.next()));
  call.nextLegId(); // the trunk leg
  call.cdr.hop(inboundRouting(did, call.cdr.participantId()), { method: 'call_init', forwardReason: 'none' });
  return call;
}

/** The `inbound_routing` participant of a DID ([OFFICIAL] "Destination participant for the call_init CDR"). */
function inboundRouting(did: Did, participantId: string): CdrParty {
  return {
    participantId,
    entityType: 'inbound_routing',
    dnNumber: did.number,
    dnType: 'inbound_routing',
    dnName: did.label.replace(/^:/, ''),
    participantName: did.label,
    phoneNumber: did.number,
    trunkDid: did.number,
    isIncoming: false,
    isAlreadyConnected: false,
    groupName: null,
  };
}

/** How a hop is recorded: the new row's creation and how the row it continues ends. */
export type HopOptions = Pick<
  OpenCdrOptions,
  'method' | 'forwardReason' | 'endPrevDetails' | 'endPrevReason'
>;

/** Options of the first hop after inbound routing: it continues the `inbound_routing` row. */
export const BY_DID = { method: 'divert', forwardReason: 'by_did', endPrevDetails: 'by_did' } as const;

/** Starts a call from an internal DN (its own leg is added by the flow). */
export function startInternal(env: FlowEnv, from: DnEntry, dialled?: string): Call {
  const caller = internalCaller(from, dialled);
  return new Call(env.ctx, caller, callerParty(caller, env.ctx.ids.next()));
}

/**
 * Moves the caller to a non-ringing DN (IVR, queue, ring group); IVR and queue answer it: their
 * leg shows `Connected` with the caller as party while they hold the call (visible only to a
 * client that monitors them), and goes when the call moves on or an agent picks up.
 */
export function hopTo(call: Call, dn: DnEntry, hop: HopOptions, answers: boolean): CdrRow {
  const party = dnParty(dn, call.cdr.participantId());
  const row = call.cdr.hop(party, hop);
  call.releaseHolding();
  if (answers) {
    call.cdr.answer(row);
    call.holding = call.addLeg(dn, { ...ringingFields(call), status: 'Connected' }, party, row);
  } else call.nextLegId();
  call.setStatus('Routing', `${dn.number} ${dn.name}`);
  return row;
}

/** A leg nobody can see (the far end on the trunk), so talk() can treat both ends alike. */
export function hiddenLeg(call: Call, dn: DnEntry, party: CdrParty, row: CdrRow | null): Leg {
  return {
    participant: {
      id: -1,
      status: 'Connected',
      dn: dn.number,
      party_caller_name: '',
      party_dn: '',
      party_caller_id: '',
      party_did: '',
      device_id: '',
      party_dn_type: 'None',
      direct_control: false,
      originated_by_dn: '',
      originated_by_type: 'None',
      referred_by_dn: '',
      referred_by_type: 'None',
      on_behalf_of_dn: '',
      on_behalf_of_type: 'None',
      callid: call.callid,
      legid: call.nextLegId(),
    },
    dn,
    party,
    row,
  };
}

/** Tears the call down (Remove events), closes open rows and hands the CDRs over. */
export async function finish(call: Call, outcome: string, answeredBy?: string): Promise<FlowResult> {
  call.teardown();
  call.cdr.endAll('src_participant_terminated', null, call.cdr.callerParty.participantId);
  await call.ctx.onFinished(call);
  return {
    callid: call.callid,
    callHistoryId: call.cdr.callHistoryId,
    outcome,
    ...(answeredBy ? { answeredBy } : {}),
    cdrIds: call.cdr.rows.map((r) => r.cdr_id as string),
  };
}

/** Finishes an unanswered offer (`abandoned`, else `missed`); an answered one talks, then finishes `answered`. */
export async function talkThenFinish(
  call: Call,
  result: OfferOutcome,
  o: Omit<TalkOptions, 'leg'>,
): Promise<FlowResult> {
  if (result.kind !== 'answered') return finish(call, result.kind === 'abandoned' ? 'abandoned' : 'missed');
  await talk(call, { ...o, leg: result.leg });
  return finish(call, 'answered', result.leg.dn.number);
}

/** Sleeps in simulated time while still reacting to a caller hang-up. Returns false if the caller left. */
export async function hold(call: Call, simMs: number): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    const left = simMs - (Date.now() - started) / call.ctx.timeScale;
    const sig = await call.wait(Math.max(0, left));
    if (!sig) return true;
    if (sig.kind === 'hangup' || (sig.kind === 'action' && sig.action === 'drop')) {
      const row = call.cdr.current;
      if (row)
        call.cdr.end(
          row,
          'src_participant_terminated',
          'terminated_by_originator',
          call.cdr.callerParty.participantId,
        );
      return false;
    }
  }
}
