import { describe, expect, it } from 'vitest';
import { chooseCallHistory, type CallHistoryBackends } from '../../src/api/call-history-route.js';
import { LICENCE_FIX } from '../../src/ops/doctor/check.js';
import { errorForStatus } from '../../src/sources/pbx-error.js';

const xapi = { getCallHistory: () => Promise.resolve({ total: 0, items: [] }) };
const cdroutput = { read: () => Promise.resolve({ total: 0, items: [] }) };
const both = (over: Partial<CallHistoryBackends> = {}): CallHistoryBackends => ({
  xapi,
  xapiEnabled: true,
  cdroutput,
  ...over,
});
const sourceOf = (r: ReturnType<typeof chooseCallHistory>) => (typeof r === 'string' ? r : r.source);

describe('CALL_HISTORY_SOURCE', () => {
  it('auto: XAPI while its source is enabled, else cdroutput, else the XAPI client Call Control uses', () => {
    expect(sourceOf(chooseCallHistory('auto', both()))).toBe('xapi');
    expect(sourceOf(chooseCallHistory('auto', both({ xapiEnabled: false })))).toBe('cdroutput');
    expect(sourceOf(chooseCallHistory('auto', both({ xapi: undefined, xapiEnabled: false })))).toBe(
      'cdroutput',
    );
    expect(sourceOf(chooseCallHistory('auto', both({ xapiEnabled: false, cdroutput: undefined })))).toBe(
      'xapi',
    );
  });

  it('auto with neither: a reason naming both ways and why the database is missing', () => {
    const r = chooseCallHistory('auto', {
      xapi: undefined,
      xapiEnabled: false,
      cdroutput: undefined,
      cdroutputMissing: 'SOURCE_DB_ENABLED is false',
    });
    expect(r).toMatch(/needs XAPI \(PBX_URL.*or 3CX's database \(SOURCE_DB_ENABLED is false\)/);
  });

  it('explicit values force their source, or say what is missing', () => {
    expect(sourceOf(chooseCallHistory('cdroutput', both()))).toBe('cdroutput');
    expect(sourceOf(chooseCallHistory('xapi', both({ xapiEnabled: false })))).toBe('xapi');
    expect(chooseCallHistory('xapi', both({ xapi: undefined }))).toMatch(
      /^CALL_HISTORY_SOURCE=xapi, but XAPI is not configured: set PBX_URL/,
    );
    expect(
      chooseCallHistory('cdroutput', both({ cdroutput: undefined, cdroutputMissing: 'ini not found at /x' })),
    ).toMatch(/^CALL_HISTORY_SOURCE=cdroutput, but 3CX's database is not available \(ini not found at \/x\)/);
  });
});

describe('licence messages point PRO systems at the database', () => {
  const hint =
    /PRO system can run on the 3CX database alone: SOURCE_XAPI_ENABLED=false, SOURCE_CALLCONTROL_ENABLED=false; call history then comes from cdroutput/i;

  it('a licence 403 from XAPI names the database-only setup', () => {
    const err = errorForStatus(
      403,
      '/xapi/v1/Defs',
      JSON.stringify({ error: { message: 'This feature requires a 3CX Enterprise license' } }),
    );
    expect(err.kind).toBe('LICENSE');
    expect(err.message).toMatch(/Enterprise\/AI licence/);
    expect(err.message).toMatch(hint);
  });

  it("doctor's licence fix names it too", () => {
    expect(LICENCE_FIX).toMatch(/Enterprise \(ENT\) or AI licence/);
    expect(LICENCE_FIX).toMatch(hint);
  });
});
