import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  EVENT_EXAMPLES,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  catalogueIndex,
  eventJsonSchema,
  webhookBodySchema,
} from '../src/index.js';

/** A 2020-12 validator with formats, as an integrator would set one up. */
export function catalogueValidator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const type of EVENT_TYPES) ajv.addSchema(eventJsonSchema(type));
  return ajv;
}

describe('event catalogue', () => {
  const ajv = catalogueValidator();

  it('has one JSON Schema 2020-12 per type and version, listed in the index', () => {
    const index = catalogueIndex();
    expect(index.types.map((t) => t.type)).toEqual([...EVENT_TYPES]);
    for (const t of index.types) {
      const schema = eventJsonSchema(t.type);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(t.id);
      expect(t.versions[1]).toBe(`/relay/schemas/v1/${t.type}.json`);
    }
  });

  it.each(EVENT_TYPES)(
    '%s: the example passes the zod schema and the JSON Schema, as event and webhook body',
    (type) => {
      const example = EVENT_EXAMPLES[type];
      expect(EVENT_SCHEMAS[type].safeParse(example).error?.issues ?? []).toEqual([]);
      const validate = ajv.getSchema(eventJsonSchema(type).$id as string)!;
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
      const body = { type, timestamp: example.occurredAt, data: example.data };
      expect(webhookBodySchema(type).safeParse(body).success).toBe(true);
      const validateBody = ajv.getSchema(`${eventJsonSchema(type).$id as string}#/$defs/webhookBody`)!;
      expect(validateBody(body), JSON.stringify(validateBody.errors)).toBe(true);
    },
  );

  it('refuses what the zod schema refuses (a wrong enum, a missing field) and accepts an added field', () => {
    const validate = ajv.getSchema(eventJsonSchema('call.ended').$id as string)!;
    const e = EVENT_EXAMPLES['call.ended'];
    expect(validate({ ...e, data: { ...e.data, outcome: 'lost' } })).toBe(false);
    const { reconciled: _dropped, ...missing } = e.data;
    expect(validate({ ...e, data: missing })).toBe(false);
    expect(validate({ ...e, type: 'call.ringing' })).toBe(false);
    expect(validate({ ...e, data: { ...e.data, addedLater: 1 } })).toBe(true);
  });
});
