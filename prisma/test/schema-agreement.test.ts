import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

// Proves that schema.prisma and the SQL migrations describe the same database: every model,
// field, type, nullability, default, enum, index and foreign key in the schema exists in a
// freshly migrated database, and the database has nothing the schema does not describe.
// Prisma's own schema parser (the wasm build shipped on npm) supplies the DMMF, offline.

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName?: string | null }[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: { name: string }[];
}

const require = createRequire(import.meta.url);
const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(p: string): string };
const schemaPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema.prisma');
const dmmf = JSON.parse(
  wasm.get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', readFileSync(schemaPath, 'utf8')]] })),
).datamodel as { models: DmmfModel[]; enums: DmmfEnum[]; indexes: DmmfIndex[] };

/** Relations (child table and columns) kept by a cascade trigger on the parent, not a foreign key. */
const TRIGGER_CASCADES: Record<string, { parent: string; name: string }> = {
  'deliveries(event_sequence)': { parent: 'events', name: 'events_cascade_deliveries' },
  'deliveries(subscription_id)': {
    parent: 'webhook_subscriptions',
    name: 'webhook_subscriptions_cascade_deliveries',
  },
  'delivery_attempts(delivery_id)': { parent: 'deliveries', name: 'deliveries_cascade_attempts' },
};

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const colOf = (f: DmmfField) => f.dbName ?? f.name;
const enumDbName = (name: string) => {
  const e = dmmf.enums.find((x) => x.name === name);
  return e?.dbName ?? name;
};

function expectedType(f: DmmfField): { data_type: string; udt_name: string } {
  const native = f.nativeType?.[0];
  if (f.kind === 'enum')
    return {
      data_type: f.isList ? 'ARRAY' : 'USER-DEFINED',
      udt_name: (f.isList ? '_' : '') + enumDbName(f.type),
    };
  const base: Record<string, string> = {
    String: native === 'Uuid' ? 'uuid' : 'text',
    Int: 'int4',
    BigInt: 'int8',
    Float: 'float8',
    Boolean: 'bool',
    DateTime: native === 'Timestamptz' ? 'timestamptz' : 'timestamp',
    Json: 'jsonb',
    Decimal: 'numeric',
  };
  const udt = base[f.type];
  if (!udt) throw new Error(`unmapped prisma type ${f.type}`);
  if (f.isList) return { data_type: 'ARRAY', udt_name: '_' + udt };
  const dataType: Record<string, string> = {
    uuid: 'uuid',
    text: 'text',
    int4: 'integer',
    int8: 'bigint',
    float8: 'double precision',
    bool: 'boolean',
    timestamptz: 'timestamp with time zone',
    timestamp: 'timestamp without time zone',
    jsonb: 'jsonb',
    numeric: 'numeric',
  };
  return { data_type: dataType[udt]!, udt_name: udt };
}

describe('schema.prisma and migrations agree', () => {
  let t: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    t = await createTestDatabase('agree');
    client = new pg.Client({ connectionString: t.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await t.drop();
  });

  it('every table in the database is a model, and every model is a table', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema='public' AND table_type='BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(dmmf.models.map(tableOf).sort());
  });

  it.each(dmmf.models.map((m) => [m.name, m] as const))(
    'model %s: columns, types, nullability, defaults',
    async (_n, model) => {
      const { rows } = await client.query<{
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: string;
        column_default: string | null;
      }>(
        `SELECT column_name, data_type, udt_name, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema='public' AND table_name=$1`,
        [tableOf(model)],
      );
      const cols = new Map(rows.map((r) => [r.column_name, r]));
      const scalars = model.fields.filter((f) => f.kind !== 'object');
      expect([...cols.keys()].sort()).toEqual(scalars.map(colOf).sort());
      for (const f of scalars) {
        const c = cols.get(colOf(f))!;
        const where = `${model.name}.${f.name}`;
        expect({ where, data_type: c.data_type, udt_name: c.udt_name }).toEqual({
          where,
          ...expectedType(f),
        });
        // Prisma creates list columns without NOT NULL.
        const nullable = f.isList ? true : !f.isRequired;
        expect({ where, nullable: c.is_nullable === 'YES' }).toEqual({ where, nullable });
        expect({ where, hasDefault: c.column_default !== null }).toEqual({
          where,
          hasDefault: f.hasDefaultValue,
        });
      }
    },
  );

  it('enums have the same values', async () => {
    for (const e of dmmf.enums) {
      const { rows } = await client.query<{ v: string }>(
        `SELECT e.enumlabel AS v FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [e.dbName ?? e.name],
      );
      expect({ e: e.name, values: rows.map((r) => r.v) }).toEqual({
        e: e.name,
        values: e.values.map((v) => v.dbName ?? v.name),
      });
    }
  });

  it('every index and unique constraint of the schema exists with the same columns', async () => {
    const { rows } = await client.query<{ indexname: string; tablename: string; indexdef: string }>(
      `SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname='public' AND tablename <> '_prisma_migrations'`,
    );
    const byName = new Map(rows.map((r) => [r.indexname, r]));
    const expectedNames: string[] = [];
    for (const idx of dmmf.indexes) {
      const model = dmmf.models.find((m) => m.name === idx.model)!;
      const table = tableOf(model);
      const cols = idx.fields.map((f) => colOf(model.fields.find((x) => x.name === f.name)!));
      const name =
        idx.dbName ??
        (idx.type === 'id'
          ? `${table}_pkey`
          : `${table}_${cols.join('_')}_${idx.type === 'unique' ? 'key' : 'idx'}`);
      expectedNames.push(name);
      const found = byName.get(name);
      expect(found, `index ${name} on ${table}(${cols.join(', ')})`).toBeDefined();
      // A partial index (`@@index(…, where: raw(…))`) ends in its predicate: compare the columns only.
      const defCols = /\(([^)]*)\)$/
        .exec(found!.indexdef.split(' WHERE ')[0]!)![1]!
        .split(', ')
        .map((c) => c.replace(/"/g, ''));
      expect({ name, cols: defCols }).toEqual({ name, cols });
      expect(found!.indexdef.startsWith('CREATE UNIQUE INDEX')).toBe(idx.type !== 'normal');
    }
    expect(rows.map((r) => r.indexname).sort()).toEqual(expectedNames.sort());
  });

  it('every relation is a foreign key with the same columns and ON DELETE rule', async () => {
    const { rows } = await client.query<{
      table: string;
      cols: string[];
      ref: string;
      refcols: string[];
      del: string;
    }>(
      `SELECT cl.relname AS table, array_agg(a.attname ORDER BY k.ord)::text[] AS cols, rcl.relname AS ref,
              array_agg(ra.attname ORDER BY k.ord)::text[] AS refcols, c.confdeltype AS del
         FROM pg_constraint c
         JOIN pg_class cl ON cl.oid = c.conrelid
         JOIN pg_class rcl ON rcl.oid = c.confrelid
         JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum
        WHERE c.contype = 'f' GROUP BY c.oid, cl.relname, rcl.relname, c.confdeltype`,
    );
    const actions: Record<string, string> = {
      Cascade: 'c',
      SetNull: 'n',
      Restrict: 'r',
      NoAction: 'a',
      SetDefault: 'd',
    };
    const expected = dmmf.models.flatMap((m) =>
      m.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields?.length)
        .map((f) => {
          const target = dmmf.models.find((x) => x.name === f.type)!;
          const fromCols = f.relationFromFields!.map((n) => colOf(m.fields.find((x) => x.name === n)!));
          const optional = f.relationFromFields!.some((n) => !m.fields.find((x) => x.name === n)!.isRequired);
          const onDelete = f.relationOnDelete ?? (optional ? 'SetNull' : 'Restrict');
          return {
            table: tableOf(m),
            cols: fromCols,
            ref: tableOf(target),
            refcols: f.relationToFields!.map((n) => colOf(target.fields.find((x) => x.name === n)!)),
            del: actions[onDelete]!,
          };
        }),
    );
    const key = (x: { table: string; cols: string[] }) => `${x.table}(${x.cols.join(',')})`;
    // The delivery hot path's relations are kept by parent-side cascade triggers instead
    // (migration 20261205090000); the next test checks those.
    const byTrigger = new Set(Object.keys(TRIGGER_CASCADES));
    expect([...rows].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.filter((x) => !byTrigger.has(key(x))).sort((a, b) => key(a).localeCompare(key(b))),
    );
    // and every exempted relation is in the schema, with ON DELETE CASCADE
    for (const k of byTrigger) expect(expected.find((x) => key(x) === k)?.del, k).toBe('c');
  });

  it('relations without a foreign key have their cascade trigger on the parent', async () => {
    const { rows } = await client.query<{ tgname: string; parent: string; def: string }>(
      `SELECT t.tgname, c.relname AS parent, pg_get_triggerdef(t.oid) AS def
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal`,
    );
    for (const [rel, trigger] of Object.entries(TRIGGER_CASCADES)) {
      const t = rows.find((r) => r.tgname === trigger.name);
      expect(t, `${rel}: trigger ${trigger.name}`).toBeDefined();
      expect(t!.parent).toBe(trigger.parent);
      expect(t!.def).toMatch(/AFTER DELETE .* REFERENCING OLD TABLE AS gone FOR EACH STATEMENT/);
    }
  });
});
