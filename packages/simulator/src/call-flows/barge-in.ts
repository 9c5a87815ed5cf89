import type { CdrRow } from '../cdr/cdr-row.js';
import type { Call, Leg } from '../pbx/call.js';
import { offer } from '../pbx/offer.js';
import { dnParty } from '../pbx/parties.js';
import { talk } from '../pbx/talk.js';
import { BY_DID, finish, hold, startInbound, type FlowEnv, type FlowResult } from './flow-kit.js';

/**
 * Barge-in: DID 32655144 → extension 101 answers; supervisor 105 listens in (`barge_in_listen`),
 * then whispers to 101 (`barge_in_whisper`), then leaves; the caller hangs up later. The
 * supervisor's rows run from 105 to 101's participant (already connected), answered at once, in
 * the same flow, off the main path ([FIELD] field review §1.4 names the creation methods; the
 * rows' sides are [INFERRED]). Which Call Control legs a barge-in makes is [UNVERIFIED]: the
 * supervisor is 105, which the default client does not monitor.
 */
export async function bargeIn(env: FlowEnv): Promise<FlowResult> {
  const agent = env.dir.find('101')!;
  const call = startInbound(env, 0);
  const result = await offer(call, {
    targets: [agent],
    ...BY_DID,
    ringMs: 20_000,
    answer: { dn: '101', afterMs: 3_000 },
  });
  if (result.kind !== 'answered') return finish(call, 'missed');
  if (!(await hold(call, 3_000))) return finish(call, 'answered', '101');
  const listen = barge(call, result.leg, 'barge_in_listen');
  const stayed = await hold(call, 3_000);
  call.cdr.end(listen, 'continued_in', null, null);
  const whisper = barge(call, result.leg, 'barge_in_whisper', listen);
  if (stayed) await hold(call, 3_000);
  call.cdr.end(whisper, 'src_participant_terminated', null, whisper.source_participant_id);
  await talk(call, { leg: result.leg, ms: 8_000, hangupBy: 'caller' });
  return finish(call, 'answered', '101');
}

/** A supervisor row into `leg`'s conversation; the previous mode's row continues in it. */
function barge(call: Call, leg: Leg, method: string, prev?: CdrRow): CdrRow {
  const supervisor = dnParty(call.ctx.state.directory.find('105')!, call.cdr.participantId());
  const row = call.cdr.open(
    { ...leg.party, isAlreadyConnected: true },
    { method, forwardReason: 'none', base: leg.row, source: prev ? rowSource(prev) : supervisor },
  );
  if (prev) prev.continued_in_cdr_id = row.cdr_id;
  call.cdr.answer(row);
  return row;
}

/** The supervisor as the source of a previous barge row (same participant). */
function rowSource(row: CdrRow) {
  return {
    participantId: row.source_participant_id!,
    entityType: row.source_entity_type!,
    dnNumber: row.source_dn_number!,
    dnType: row.source_dn_type!,
    dnName: row.source_dn_name!,
    participantName: row.source_participant_name!,
    phoneNumber: row.source_participant_phone_number!,
    trunkDid: null,
    isIncoming: false,
    isAlreadyConnected: true,
    groupName: row.source_participant_group_name,
  };
}
