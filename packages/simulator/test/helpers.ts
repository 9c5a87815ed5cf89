import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import WebSocket from 'ws';
import { startSimulator, type Simulator, type SimulatorOptions, type WsFrame } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Superuser URL of the test cluster (set by the root global setup). */
export function pgUrl(): string {
  const url = process.env.RELAY_TEST_PG_URL;
  if (!url) throw new Error('RELAY_TEST_PG_URL is not set; run through the root vitest config');
  return url;
}

/** Starts a simulator with database and role names unique to `tag`, fast time, dropped on stop. */
export function startTestSim(tag: string, opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({
    pgUrl: pgUrl(),
    dbName: `simdb_${tag}`,
    readonlyRole: `simro_${tag}`,
    timeScale: 0.005,
    dropOnStop: true,
    ...opts,
  });
}

/** Gets a token for the owner or admin client. */
export async function getToken(sim: Simulator, who: 'owner' | 'admin' = 'owner'): Promise<string> {
  const c = sim.clients[who];
  const res = await fetch(`${sim.baseUrl}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** GET with a bearer token; returns status and parsed JSON (or null). */
export async function api(
  sim: Simulator,
  token: string,
  p: string,
  init: RequestInit = {},
): Promise<{ status: number; body: any; headers: Headers; text: string }> {
  const res = await fetch(`${sim.baseUrl}${p}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, body, headers: res.headers, text };
}

type SchemaVersion = '20.0.7' | '20.0.10';

/**
 * Validators built from 3CX's own schemas (fixtures/3cx-xapi-schemas.json, plus the users,
 * queues and recordings in 3cx-xapi-schemas-entities.json). Objects get
 * `additionalProperties: false`, so an invented field fails. Schemas the excerpt does not
 * include (e.g. `Pbx.Codec`) are accepted as anything.
 */
export function xapiValidator(version: SchemaVersion): (schema: string, data: unknown) => string[] {
  const read = (file: string) =>
    JSON.parse(readFileSync(path.join(here, '..', 'fixtures', file), 'utf8')) as Record<
      string,
      Record<string, any>
    >;
  const all = read('3cx-xapi-schemas.json');
  const entities = read('3cx-xapi-schemas-entities.json'); // users, queues, recordings
  const key = Object.keys(all).find((k) => k.startsWith(version + ' '));
  if (!key) throw new Error(`no schemas for ${version}`);
  const schemas: Record<string, any> = JSON.parse(JSON.stringify({ ...all[key], ...entities[key] }));
  for (const [name, s] of Object.entries(schemas)) {
    if (name.startsWith('_')) delete schemas[name];
    else if (s.type === 'object' && s.properties && name !== 'Pbx.ODataErrors.InnerError')
      s.additionalProperties = false;
  }
  fixNullable(schemas);
  const refs = JSON.stringify(schemas).match(/#\/components\/schemas\/[\w.]+/g) ?? [];
  for (const ref of refs) schemas[ref.split('/').pop() as string] ??= {};
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  // 3CX's own `pattern` next to `format: duration` allows fractional seconds (.NET TimeSpan);
  // ajv-formats' duration does not, so the pattern decides.
  for (const f of ['int32', 'int64', 'decimal', 'double', 'float', 'duration']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'xapi', components: { schemas } });
  const cache = new Map<string, ValidateFunction>();
  return (schema, data) => {
    let v = cache.get(schema);
    if (!v) cache.set(schema, (v = ajv.compile({ $ref: `xapi#/components/schemas/${schema}` })));
    return v(data)
      ? []
      : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

/** OpenAPI 3.0 `nullable` beside `allOf` (no `type`) → `anyOf [schema, null]`, which Ajv understands. */
function fixNullable(node: any): void {
  if (!node || typeof node !== 'object') return;
  for (const v of Object.values(node)) fixNullable(v);
  if (node.nullable === true && node.type === undefined && node.allOf) {
    const allOf = node.allOf;
    delete node.nullable;
    delete node.allOf;
    node.anyOf = [{ allOf }, { type: 'null' }];
  }
}

/** A WebSocket client that records every frame. */
export interface WsClient {
  ws: WebSocket;
  frames: WsFrame[];
  raw: string[];
  waitFor(pred: (f: WsFrame) => boolean, timeoutMs?: number): Promise<WsFrame>;
  close(): void;
}

/** Opens `/callcontrol/ws` with a bearer token; rejects with the HTTP status on refusal. */
export function connectWs(sim: Simulator, token: string): Promise<WsClient> {
  const ws = new WebSocket(`${sim.baseUrl.replace('http', 'ws')}/callcontrol/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: WsFrame[] = [];
  const raw: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    raw.push(text);
    try {
      frames.push(JSON.parse(text) as WsFrame);
    } catch {
      /* malformed on purpose */
    }
    for (const w of waiters) w();
  });
  const client: WsClient = {
    ws,
    frames,
    raw,
    waitFor: (pred, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = frames.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(t);
            resolve(hit);
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('frame not seen'));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Polls until `fn` returns a truthy value (a generous default deadline: the CI box is shared). */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
