import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type MalformedResponseKind, type Simulator } from '@3cx-relay/simulator';
import { CallControlRest } from '../../src/sources/callcontrol/callcontrol-rest.js';
import { PbxError } from '../../src/sources/pbx-error.js';
import { PbxHttp } from '../../src/sources/xapi/pbx-http.js';
import { TokenHolder } from '../../src/sources/xapi/token-holder.js';
import { XapiClient } from '../../src/sources/xapi/xapi-client.js';

const silent = pino({ level: 'silent' });
const KINDS: Array<[MalformedResponseKind, 'MALFORMED' | 'TOO_LARGE', RegExp]> = [
  ['truncated-json', 'MALFORMED', /not JSON/],
  ['wrong-shape', 'MALFORMED', /without|not a participant/],
  ['html', 'MALFORMED', /not JSON .*<!DOCTYPE html>/],
  ['empty', 'MALFORMED', /empty body/],
  ['oversized', 'TOO_LARGE', /more than 4096 KiB/],
];

let sim: Simulator;
let now = Date.now();
let tokens: TokenHolder;
let rest: CallControlRest;
let xapi: XapiClient;
beforeAll(async () => {
  sim = await startSimulator({
    pgUrl: process.env.RELAY_TEST_PG_URL!,
    dbName: 'simdb_badresp',
    readonlyRole: 'simro_badresp',
    timeScale: 0.02,
    dropOnStop: true,
  });
  const c = sim.clients.owner;
  tokens = new TokenHolder(
    { baseUrl: sim.baseUrl, clientId: c.clientId, clientSecret: c.clientSecret, now: () => now },
    silent,
  );
  const http = new PbxHttp(sim.baseUrl, tokens);
  rest = new CallControlRest(http);
  xapi = new XapiClient(http);
});
afterEach(() => sim.faults.clear());
afterAll(() => sim?.stop());

/** The PbxError `fn` rejects with. */
async function failure(fn: () => Promise<unknown>): Promise<PbxError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PbxError);
  return err as PbxError;
}

describe.each(KINDS)('a 200 with a %s body', (kind, expected, message) => {
  it(`GET /callcontrol (snapshot) fails as ${expected}`, async () => {
    await tokens.get();
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol', kind }] });
    const e = await failure(() => rest.snapshot());
    expect(e.kind).toBe(expected);
    expect(e.message).toMatch(kind === 'wrong-shape' ? /without an array/ : message);
    await sim.faults.clear();
    expect((await rest.snapshot()).dnTypes.length).toBeGreaterThan(0);
  });

  it(`GET of a participant fails as ${expected}`, async () => {
    await tokens.get();
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/callcontrol/', kind }] });
    const e = await failure(() => rest.participant('/callcontrol/100/participants/1'));
    expect(e.kind).toBe(expected);
    expect(e.message).toMatch(kind === 'wrong-shape' ? /not a participant/ : message);
  });

  it(`the XAPI probe fails as ${expected}`, async () => {
    await tokens.get();
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/xapi/v1/Defs', kind }] });
    const e = await failure(() => xapi.probe());
    expect(e.kind).toBe(expected);
    expect(e.message).toMatch(kind === 'wrong-shape' ? /without an object carrying Id/ : message);
    await sim.faults.clear();
    expect(await xapi.probe()).toBeGreaterThanOrEqual(0);
  });

  it(`the token endpoint fails as ${expected}, then backs off instead of asking again`, async () => {
    tokens.invalidate();
    await sim.faults.set({ malformedResponses: [{ pathPrefix: '/connect/token', kind }] });
    const served = () => sim.state().malformedResponsesServed[kind] ?? 0;
    const before = served();
    const e = await failure(() => tokens.get());
    expect(e.kind).toBe(expected);
    expect(e.message).toMatch(/connect\/token.*retrying in 1 s/);
    const again = await failure(() => xapi.probe());
    expect(again.message).toBe(e.message);
    expect(served()).toBe(before + 1);
    now += 1500; // past the backoff: the next call asks again and fails, backing off 2 s
    expect((await failure(() => tokens.get())).message).toMatch(/retrying in 2 s/);
    await sim.faults.clear();
    now += 2500;
    expect(await tokens.get()).toMatch(/\./);
  });
});
