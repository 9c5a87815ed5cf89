import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import {
  EVENT_TYPES,
  eventJsonSchema,
  relayEventSchema,
  toRelayEvent,
  type EventType,
} from '@3cx-relay/events';
import { until, type EventRow, type Harness } from './sim-harness.js';

// The published catalogue (JSON Schema 2020-12) must accept every event these flows produce.
const catalogue = new Ajv2020({ strict: false });
addFormats.default(catalogue);
for (const t of EVENT_TYPES) catalogue.addSchema(eventJsonSchema(t));

/** Checks one stored event against the zod model and the published JSON Schema; returns its type. */
export function validateWire(e: EventRow): string {
  const wire = toRelayEvent({
    id: e.id,
    type: e.type as EventType,
    occurredAt: new Date(),
    callId: e.call_id,
    callHistoryId: e.call_history_id,
    extensions: e.extensions,
    dids: e.dids,
    queues: e.queues,
    departments: e.departments ?? [],
    data: e.data,
    sequence: BigInt(e.sequence),
  });
  expect(relayEventSchema.safeParse(wire).error?.issues ?? []).toEqual([]);
  const validate = catalogue.getSchema(eventJsonSchema(wire.type).$id as string)!;
  expect(validate(JSON.parse(JSON.stringify(wire))), JSON.stringify(validate.errors)).toBe(true);
  return wire.type;
}

/**
 * Runs a simulator scenario and waits for its `call.ended` (unless `live` is false) and its
 * `call.completed`; validates every event of the call against the catalogue and records the
 * types (and `scenario:<name>`) in `walked`. Live events are those of the scenario's callid.
 */
export async function runAndCollect(h: Harness, scenario: string, walked: Set<string>, live = true) {
  const s = await h.sim.runScenario(scenario);
  expect(s.aborted).toBe(false);
  const callid = String(s.callid!);
  const chid = s.callHistoryId!;
  if (live)
    await until(
      async () => (await h.events("type = 'call.ended' AND call_id = $1", [callid])).length,
      20_000,
      `${scenario} call.ended`,
    );
  await until(
    async () => (await h.events("type = 'call.completed' AND call_history_id = $1", [chid])).length,
    20_000,
    `${scenario} call.completed`,
  );
  const ev = {
    live: await h.events("call_id = $1 AND type <> 'call.completed'", [callid]),
    cdr: await h.events('call_history_id = $1', [chid]),
  };
  for (const e of [...ev.live, ...ev.cdr]) walked.add(validateWire(e));
  walked.add(`scenario:${scenario}`);
  // The call-state sequence. `call.recording_ready` carries the callid too, but it comes from the
  // recordings poll and may land before or after `call.completed` (a loaded machine sees both);
  // recordings.test.ts asserts it. It is still validated against the catalogue above.
  const types = ev.live
    .filter((e) => e.type !== 'call.recording_ready')
    .map((e) => `${e.type}${e.data.extension ? `:${e.data.extension}` : ''}`);
  const completed = ev.cdr.find((e) => e.type === 'call.completed')!;
  const cdrCount = ev.cdr.filter((e) => e.type === 'cdr.created').length;
  // `ended` is undefined when `live` is false.
  return { s, ev, types, completed, cdrCount, ended: ev.live.find((e) => e.type === 'call.ended')! };
}

export type Collected = Awaited<ReturnType<typeof runAndCollect>>;

/** The scenarios `cdr-flows.test.ts` runs (and validates against the catalogue); the rest run in `scenarios.test.ts`. */
export const CDR_FLOW_SCENARIOS = [
  'voicemail',
  'internal-voicemail',
  'busy-to-queue',
  'forward-all-to-queue',
  'busy',
  'queue-overflow',
  'queue-pingpong',
  'pickup',
  'barge-in',
  'queue-callback',
  'queue-callback-failed',
  'api-makecall',
];
