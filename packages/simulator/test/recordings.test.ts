import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { api, getToken, startTestSim, xapiValidator } from './helpers.js';

let sim: Simulator;
let owner: string;
const v10 = xapiValidator('20.0.10');

beforeAll(async () => {
  sim = await startTestSim('recordings', { version: '20.0.10', recordExtensions: ['101', '102'] });
  await sim.runScenario('inbound-queue-answered');
  await sim.runScenario('outbound'); // 100 does not record
  owner = await getToken(sim, 'owner');
});
afterAll(() => sim?.stop());

const download = (id: number, headers: Record<string, string> = {}) =>
  fetch(`${sim.baseUrl}/xapi/v1/Recordings/Pbx.DownloadRecording(recId=${id})`, {
    headers: { authorization: `Bearer ${owner}`, ...headers },
  });

describe('XAPI Recordings', () => {
  it('GET /xapi/v1/Recordings - one Pbx.Recording per recorded talk, with transcription, summary and sentiment', async () => {
    const res = await api(sim, owner, '/xapi/v1/Recordings?$count=true&$orderby=Id asc');
    expect(res.status).toBe(200);
    expect(res.body['@odata.count']).toBe(1);
    const rec = res.body.value[0];
    expect(v10('Pbx.Recording', rec)).toEqual([]);
    expect(rec).toMatchObject({ Id: 1, CallType: 'InboundExternal', FromDn: '10007', IsTranscribed: true });
    expect(['101', '102']).toContain(rec.ToDn);
    expect(rec.FromCallerNumber).toMatch(/^\+49/);
    expect(rec.RecordingUrl).toMatch(
      new RegExp(`^${rec.ToDn}/\\[.+\\]_${rec.ToDn}-\\+49\\d+_\\d{14}\\(\\d+\\)\\.wav$`),
    );
    expect(typeof rec.Transcription).toBe('string');
    expect(rec.SentimentScore).toBeGreaterThanOrEqual(1);
    expect(Date.parse(rec.EndTime)).toBeGreaterThan(Date.parse(rec.StartTime));
  });

  it('CallHistoryView.DstRecId and CallLogData.Recordings (20.0.10) point at the recording', async () => {
    const hv = await api(sim, owner, '/xapi/v1/CallHistoryView?$filter=DstRecId eq 1');
    expect(hv.body.value).toHaveLength(1);
    expect(hv.body.value[0]).toMatchObject({ DstRecId: 1, SrcRecId: null, CallAnswered: true });
    const log = await api(
      sim,
      owner,
      `/xapi/v1/ReportCallLogData/Pbx.GetCallLogData(periodFrom=2000-01-01T00:00:00Z,periodTo=2099-12-31T23:59:59Z,sourceType=0,sourceFilter='',destinationType=0,` +
        `destinationFilter='',callsType=0,callTimeFilterType=0,callTimeFilterFrom='0:00:0',callTimeFilterTo='0:00:0',hidePcalls=true)`,
    );
    const row = log.body.value.find((r: any) => r.DstRecId === 1);
    expect(row.Recordings).toEqual([
      { Id: 1, SentimentScore: row.SentimentScore, Summary: row.Summary, Transcription: row.Transcription },
    ]);
    expect(v10('Pbx.CallLogData', row)).toEqual([]);
  });

  it('Pbx.DownloadRecording streams a playable WAV, whole or by byte range', async () => {
    const whole = await download(1);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.subarray(8, 16).toString()).toBe('WAVEfmt ');
    expect(bytes.readUInt32LE(24)).toBe(8000);
    expect(bytes.length).toBe(44 + bytes.readUInt32LE(40));

    const part = await download(1, { range: 'bytes=40-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 40-99/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(40, 100));
    const tail = await download(1, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    const past = await download(1, { range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect((await download(99)).status).toBe(404);
  });

  it('needs the System Owner role (403 for System Admin), like every recording path', async () => {
    const admin = await getToken(sim, 'admin');
    expect((await api(sim, admin, '/xapi/v1/Recordings')).status).toBe(403);
    const res = await fetch(`${sim.baseUrl}/xapi/v1/Recordings/Pbx.DownloadRecording(recId=1)`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(403);
  });

  it('recordingRangeRequests: false answers a range request with the whole file', async () => {
    const plain = await startTestSim('recordings_norange', { recordingRangeRequests: false });
    try {
      await plain.runScenario('internal');
      const token = await getToken(plain, 'owner');
      const res = await fetch(`${plain.baseUrl}/xapi/v1/Recordings/Pbx.DownloadRecording(recId=1)`, {
        headers: { authorization: `Bearer ${token}`, range: 'bytes=0-9' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('accept-ranges')).toBeNull();
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(10);
    } finally {
      await plain.stop();
    }
  });
});
