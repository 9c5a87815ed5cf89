import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, catalogueIndex, eventJsonSchema } from '@3cx-relay/events';
import { registeredRoutes } from '../../src/http/server.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';

/** Routes served outside Fastify's router (the WebSocket upgrade). */
const UPGRADE_ROUTES = ['GET /relay/ws'];

describe('API documents: OpenAPI, AsyncAPI and the event catalogue', () => {
  let h: WorkerHarness;
  const get = async (path: string) => {
    const res = await fetch(h.worker.url + path);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
  };
  beforeAll(async () => {
    h = await startWorkerHarness('apidocs');
  });
  afterAll(async () => h?.stop());

  it('GET /relay/openapi.json - a valid OpenAPI 3.1 document (official schema, @seriousme/openapi-schema-validator)', async () => {
    const { body } = await get('/relay/openapi.json');
    const result = await new Validator().validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(body.webhooks)).toEqual([...EVENT_TYPES]);
    for (const type of EVENT_TYPES)
      expect(
        (body.webhooks[type].post.parameters as { name: string; required: boolean }[]).map(
          (p) => `${p.name}${p.required ? '' : '?'}`,
        ),
      ).toEqual([
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'relay-sequence',
        'relay-order-key?',
        'relay-previous-sequence?',
        'traceparent',
      ]);
  });

  it('GET /relay/openapi.json - describes exactly the live routes, method by method', async () => {
    const { body } = await get('/relay/openapi.json');
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops)
          .filter((m) => m !== 'parameters')
          .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const live = registeredRoutes(h.worker.http).map(
      (r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect(new Set(live).size).toBeGreaterThan(15);
    expect([...live, ...UPGRADE_ROUTES].sort()).toEqual([...documented].sort());
  });

  it('GET /relay/asyncapi.json - a valid AsyncAPI 3 document (@asyncapi/parser) with the webhook, WebSocket and SSE channels', async () => {
    const { body } = await get('/relay/asyncapi.json');
    expect(body.asyncapi).toBe('3.0.0');
    const { document, diagnostics } = await new Parser().parse(body);
    expect(
      diagnostics
        .filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error))
        .map((d) => `${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    expect(document).toBeDefined();
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(['{receiverPath}', '/relay/ws', '/relay/events/stream']);
    const webhook = document!.channels().get('webhook')!;
    expect(
      webhook
        .messages()
        .all()
        .map((m) => m.name()),
    ).toEqual([...EVENT_TYPES]);
    for (const m of webhook.messages().all())
      expect(Object.keys(m.headers()?.properties() ?? {})).toEqual([
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'relay-sequence',
        'relay-order-key',
        'relay-previous-sequence',
        'traceparent',
      ]);
    expect(
      document!
        .channels()
        .get('sse')!
        .messages()
        .all()
        .map((m) => m.name()),
    ).toContain('snapshot');
  });

  it('GET /relay/schemas - the catalogue index and one JSON Schema per type and version, without a key', async () => {
    const index = await get('/relay/schemas');
    expect(index.body).toEqual(catalogueIndex());
    for (const t of index.body.types as {
      type: (typeof EVENT_TYPES)[number];
      schema: string;
      versions: Record<string, string>;
    }[]) {
      const current = await get(t.schema);
      expect(current.type).toMatch(/^application\/schema\+json/);
      expect(current.body).toEqual(eventJsonSchema(t.type));
      expect((await get(t.versions[1]!)).body).toEqual(current.body);
    }
    expect((await get('/relay/schemas/call.exploded.json')).status).toBe(404);
  });
});
