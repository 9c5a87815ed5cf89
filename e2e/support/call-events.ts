import { sql } from './db.js';

/** The caller of the seeded call: an outside number with a display name. */
export interface SeedCaller {
  name: string;
  number: string;
}

/**
 * Inserts one inbound call's events as the worker would (ringing, answered, ended, then the
 * CDR and the completed summary), `occurred_at` one second apart ending now, and returns their
 * sequences in order. The caller's name is free text from the PBX: tests put payloads in it.
 */
export async function seedCallEvents(
  caller: SeedCaller = { name: 'Anna Meyer', number: '+4915112345678' },
): Promise<string[]> {
  const tag = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const callId = String(9000 + Math.floor(Math.random() * 1000));
  const party = { ...caller, dn: '10007', kind: 'external' };
  const agent = { number: '101', name: 'Ben Carter', dn: '101', kind: 'extension' };
  const ctx = { callId, callHistoryId: null, direction: 'inbound', caller: party, callee: agent };
  const where = { did: '32655144', queue: '800' };
  const events: [string, unknown][] = [
    ['call.ringing', { ...ctx, ...where, extension: '101', extensionKind: 'extension' }],
    ['call.answered', { ...ctx, ...where, extension: '101', ringDurationSeconds: 4.3 }],
    [
      'call.ended',
      {
        ...ctx,
        ...where,
        outcome: 'answered',
        ringDurationSeconds: 4.3,
        talkDurationSeconds: 29.6,
        answeredBy: '101',
      },
    ],
    [
      'cdr.created',
      {
        source: { participantName: caller.name, phoneNumber: caller.number },
        destination: { dnName: 'Ben Carter', dnNumber: '101' },
      },
    ],
    [
      'call.completed',
      { ...ctx, ...where, outcome: 'answered', ringDurationSeconds: 6.4, talkDurationSeconds: 29.6 },
    ],
  ];
  const sequences: string[] = [];
  for (const [i, [type, data]] of events.entries()) {
    const [row] = await sql<{ sequence: string }>(
      `INSERT INTO events (id, type, occurred_at, call_id, extensions, dids, queues, data)
       VALUES ($1, $2, now() - make_interval(secs => $3), $4, '{101}', '{32655144}', '{800}', $5::jsonb)
       RETURNING sequence::text`,
      [`evt_e2e_${tag}_${i}`, type, events.length - 1 - i, callId, JSON.stringify(data)],
    );
    sequences.push(row!.sequence);
  }
  return sequences;
}
