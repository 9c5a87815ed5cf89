import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { ACTIVE_CALL_FIELDS } from '../src/xapi/active-calls.js';
import { api, getToken, startTestSim, until, xapiValidator } from './helpers.js';

let sim: Simulator;
let owner: string;
let admin: string;
const validate = xapiValidator('20.0.7');
const callLog = (from: string, extra = '') =>
  `/xapi/v1/ReportCallLogData/Pbx.GetCallLogData(periodFrom=${from},periodTo=2099-12-31T23:59:59Z,sourceType=0,sourceFilter='',destinationType=0,` +
  `destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=true)${extra}`;

beforeAll(async () => {
  sim = await startTestSim('xapi');
  await sim.runScenario('inbound-queue-answered');
  await sim.runScenario('outbound');
  owner = await getToken(sim, 'owner');
  admin = await getToken(sim, 'admin');
});
afterAll(() => sim?.stop());

function expectEnvelope(body: any, items: string) {
  expect(typeof body['@odata.context']).toBe('string');
  expect(Array.isArray(body.value)).toBe(true);
  expect(
    validate('BaseCollectionPaginationCountResponse', { '@odata.count': body['@odata.count'] ?? null }),
  ).toEqual([]);
  for (const item of body.value) expect(validate(items, item)).toEqual([]);
}

describe('XAPI', () => {
  it('GET /xapi/v1/ActiveCalls - items have exactly the 7 Pbx.ActiveCall fields and validate', async () => {
    // Slower than the file's compressed clock: the drop below must reach the call while it still
    // rings (answered after 30 s × 0.2 = 6 s), however busy the machine is.
    const running = sim.runScenario('ringing-at-connect', { timeScale: 0.2 });
    await until(() => sim.state().activeCalls.length > 0);
    const res = await api(sim, owner, '/xapi/v1/ActiveCalls?$count=true');
    expect(res.status).toBe(200);
    expectEnvelope(res.body, 'Pbx.ActiveCall');
    expect(res.body['@odata.count']).toBe(1);
    expect(Object.keys(res.body.value[0]).sort()).toEqual([...ACTIVE_CALL_FIELDS].sort());
    expect(res.body.value[0].Status).toBe('Ringing');
    const drop = await api(sim, owner, `/xapi/v1/ActiveCalls(${res.body.value[0].Id})/Pbx.DropCall`, {
      method: 'POST',
    });
    expect(drop.status).toBe(200);
    expect(drop.body).toEqual({});
    expect((await running).outcome).toBe('abandoned');
    expect((await api(sim, owner, '/xapi/v1/ActiveCalls')).body.value).toEqual([]);
  });

  it('GET /xapi/v1/CallHistoryView - segments validate, $count/$top/$skip/$orderby/$select work', async () => {
    const all = await api(sim, owner, '/xapi/v1/CallHistoryView?$count=true');
    expectEnvelope(all.body, 'Pbx.CallHistoryView');
    const total = all.body['@odata.count'];
    expect(total).toBeGreaterThan(4);
    const page = await api(
      sim,
      owner,
      '/xapi/v1/CallHistoryView?$count=true&$orderby=SegmentId desc&$skip=1&$top=2',
    );
    expect(page.body['@odata.count']).toBe(total);
    expect(page.body.value.map((s: any) => s.SegmentId)).toEqual([total - 1, total - 2]);
    const sel = await api(sim, owner, '/xapi/v1/CallHistoryView?$select=SegmentId,SrcDn&$top=1');
    expect(Object.keys(sel.body.value[0])).toEqual(['SegmentId', 'SrcDn']);
    expect(sel.body['@odata.context']).toMatch(/#CallHistoryView\(SegmentId,SrcDn\)$/);
  });

  it('GET /xapi/v1/CallHistoryView - $filter with dates, numbers, and/or, contains/startswith', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const q = (f: string) =>
      api(sim, owner, `/xapi/v1/CallHistoryView?$count=true&$filter=${encodeURIComponent(f)}`);
    const total = (await q('SegmentId ge 1')).body['@odata.count'];
    expect(
      (await q(`date(SegmentStartTime) ge ${today} and date(SegmentStartTime) le ${today}`)).body[
        '@odata.count'
      ],
    ).toBe(total);
    expect((await q('SegmentStartTime lt 2000-01-01T00:00:00Z')).body['@odata.count']).toBe(0);
    expect((await q("SrcDn eq '10007'")).body.value.every((s: any) => s.SrcDn === '10007')).toBe(true);
    expect((await q("SrcDn ne '10007' or SegmentId eq 1")).body['@odata.count']).toBeGreaterThan(0);
    expect(
      (await q("contains(DstDisplayName,'support')")).body.value.every(
        (s: any) => s.DstDisplayName === 'Support',
      ),
    ).toBe(true);
    expect(
      (await q("startswith(SrcCallerNumber,'+49') and SrcExternal eq true")).body['@odata.count'],
    ).toBeGreaterThan(0);
    expect((await q('NoSuchField eq 1')).status).toBe(400);
  });

  it('GET ReportCallLogData/Pbx.GetCallLogData(...) - 11 parameters, rows validate', async () => {
    const res = await api(sim, owner, callLog('2020-01-01T00:00:00Z', '?$top=100&$orderby=SegmentId desc'));
    expect(res.status).toBe(200);
    expectEnvelope(res.body, 'Pbx.CallLogData');
    expect(res.body.value.length).toBeGreaterThan(3);
    expect(res.body.value[0]).not.toHaveProperty('Recordings');
  });

  it('quirk: $top above 100 answers 400 with the ASP.NET OData limit message; $top 100 and paging with $skip work', async () => {
    const over = await api(sim, owner, '/xapi/v1/CallHistoryView?$top=500');
    expect(over.status).toBe(400);
    expect(validate('Pbx.ODataErrors.ODataError', over.body)).toEqual([]);
    expect(over.body.error.message).toBe(
      "The query specified in the URI is not valid. The limit of '100' for Top query has been exceeded. The value from the incoming request is '500'.",
    );
    expect((await api(sim, owner, '/xapi/v1/ActiveCalls?$top=1000')).status).toBe(400);
    expect((await api(sim, owner, callLog('2020-01-01T00:00:00Z', '?$top=101'))).status).toBe(400);
    const ok = await api(sim, owner, '/xapi/v1/CallHistoryView?$top=100&$skip=1&$count=true');
    expect(ok.status).toBe(200);
    expect(ok.body.value).toHaveLength(ok.body['@odata.count'] - 1);
    expect(ok.body).not.toHaveProperty('@odata.nextLink');
  });

  it('GetCallLogData with a malformed parameter list answers 404', async () => {
    const res = await api(
      sim,
      owner,
      '/xapi/v1/ReportCallLogData/Pbx.GetCallLogData(periodFrom=2024-12-01T00:00:00Z,sourceType=0)',
    );
    expect(res.status).toBe(404);
    const unknown = await api(sim, owner, callLog('2020-01-01T00:00:00Z').replace('hidePcalls', 'hideCalls'));
    expect(unknown.status).toBe(404);
  });

  it('GetCallLogData with a bad date answers 500 with an ODataError', async () => {
    const res = await api(sim, owner, callLog('01.12.2024'));
    expect(res.status).toBe(500);
    expect(validate('Pbx.ODataErrors.ODataError', res.body)).toEqual([]);
  });

  it('quirk: a System Admin client gets 403 on history endpoints, System Owner gets data', async () => {
    for (const p of ['/xapi/v1/CallHistoryView', callLog('2020-01-01T00:00:00Z')]) {
      const res = await api(sim, admin, p);
      expect(res.status).toBe(403);
      expect(validate('Pbx.ODataErrors.ODataError', res.body)).toEqual([]);
      expect((await api(sim, owner, p)).status).toBe(200);
    }
  });

  it('GET /xapi/v1/Defs?$select=Id works for both roles and validates', async () => {
    for (const t of [owner, admin]) {
      const res = await api(sim, t, '/xapi/v1/Defs?$select=Id');
      expect(res.status).toBe(200);
      expect(res.body['@odata.context']).toMatch(/\$metadata#Defs\(Id\)$/);
      const { ['@odata.context']: _ctx, ...defs } = res.body;
      expect(validate('Pbx.Defs', defs)).toEqual([]);
    }
  });

  it('GET /xapi/v1/SystemStatus validates against Pbx.SystemStatus', async () => {
    const res = await api(sim, owner, '/xapi/v1/SystemStatus');
    const { ['@odata.context']: _ctx, ...status } = res.body;
    expect(validate('Pbx.SystemStatus', status)).toEqual([]);
    expect(status.Version).toBe('20.0.8');
  });

  it('answers 401 with an empty body and WWW-Authenticate: Bearer without a valid token', async () => {
    for (const auth of [undefined, 'Bearer nonsense']) {
      const res = await fetch(`${sim.baseUrl}/xapi/v1/ActiveCalls`, {
        headers: auth ? { authorization: auth } : {},
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).toBe('');
    }
  });
});

describe('XAPI server-driven paging', () => {
  it('serverPageSize cuts answers short with an @odata.nextLink that serves the rest; without the link only $count shows it', async () => {
    const paged = await startTestSim('xapipage', { serverPageSize: 2, maxTop: null });
    try {
      await paged.runScenario('inbound-queue-answered');
      const token = await getToken(paged);
      const first = await api(
        paged,
        token,
        "/xapi/v1/CallHistoryView?$top=500&$count=true&$filter=SrcDn ne 'x'",
      );
      const total = first.body['@odata.count'];
      expect(total).toBeGreaterThan(3);
      expect(first.body.value).toHaveLength(2);
      const link = new URL(first.body['@odata.nextLink']);
      expect(link.origin).toBe(paged.baseUrl);
      expect(link.searchParams.get('$skip')).toBe('2');
      expect(link.searchParams.get('$top')).toBe('498');
      expect(link.searchParams.get('$filter')).toBe("SrcDn ne 'x'");
      const second = await api(paged, token, link.pathname + link.search);
      expect(second.body.value.map((s: any) => s.SegmentId)).not.toContain(first.body.value[0].SegmentId);
      const all = await api(paged, token, `/xapi/v1/CallHistoryView?$skip=${total - 1}`);
      expect(all.body.value).toHaveLength(1);
      expect(all.body).not.toHaveProperty('@odata.nextLink');
    } finally {
      await paged.stop();
    }
    const silent = await startTestSim('xapisilent', { serverPageSize: 2, serverPageNextLink: false });
    try {
      await silent.runScenario('inbound-queue-answered');
      const res = await api(silent, await getToken(silent), '/xapi/v1/CallHistoryView?$top=100&$count=true');
      expect(res.body.value).toHaveLength(2);
      expect(res.body['@odata.count']).toBeGreaterThan(2);
      expect(res.body).not.toHaveProperty('@odata.nextLink');
    } finally {
      await silent.stop();
    }
  });
});

describe('XAPI version modes', () => {
  it('20.0.9: SystemStatus has UserExtensions; CallLogData has no Recordings yet; the licence has no IsEnterprise', async () => {
    const v9 = await startTestSim('xapi9', { version: '20.0.9' });
    try {
      await v9.runScenario('internal');
      const token = await getToken(v9);
      const res = await api(v9, token, callLog('2020-01-01T00:00:00Z'));
      expect(res.body.value.length).toBeGreaterThan(0);
      for (const row of res.body.value) expect(validate('Pbx.CallLogData', row)).toEqual([]);
      expect(res.body.value[0]).not.toHaveProperty('Recordings');
      const status = (await api(v9, token, '/xapi/v1/SystemStatus')).body;
      expect(status.UserExtensions).toBe(7);
      const licence = (await api(v9, token, '/xapi/v1/Defs/Pbx.GetLicenseParameters()')).body;
      expect(licence).not.toHaveProperty('IsEnterprise');
    } finally {
      await v9.stop();
    }
  });

  it('20.0.10: CallLogData rows carry Recordings, the licence says IsEnterprise/IsProfessional; both validate against the 20.0.10 schemas', async () => {
    const v10 = await startTestSim('xapi10', { version: '20.0.10' });
    try {
      await v10.runScenario('internal');
      const token = await getToken(v10);
      const res = await api(v10, token, callLog('2020-01-01T00:00:00Z'));
      const validate10 = xapiValidator('20.0.10');
      expect(res.body.value.length).toBeGreaterThan(0);
      for (const row of res.body.value) expect(validate10('Pbx.CallLogData', row)).toEqual([]);
      // The internal call's talk is recorded: its row names the recording, the others none.
      const recorded = res.body.value.filter((r: any) => r.Recordings.length > 0);
      expect(recorded).toHaveLength(1);
      expect(recorded[0].Recordings[0].Id).toBe(recorded[0].DstRecId);
      const licence = (await api(v10, token, '/xapi/v1/Defs/Pbx.GetLicenseParameters()')).body;
      const { '@odata.context': context, ...license } = licence;
      expect(context).toMatch(/#Pbx\.License$/);
      expect(validate10('Pbx.License', license)).toEqual([]);
      expect(license).toMatchObject({ ProductCode: '3CXPSENT', IsEnterprise: true, IsProfessional: false });
      await v10.faults.set({ licence: 'pro' });
      const pro = (await api(v10, token, '/xapi/v1/Defs/Pbx.GetLicenseParameters()')).body;
      expect(pro).toMatchObject({ ProductCode: '3CXPSPROFSPLA', IsEnterprise: false, IsProfessional: true });
      expect((await api(v10, token, '/xapi/v1/SystemStatus')).body.UserExtensions).toBe(7);
    } finally {
      await v10.stop();
    }
  });
});
