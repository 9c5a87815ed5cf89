import { getPage, odataQuery, XAPI_MAX_TOP } from '../xapi/odata-pages.js';
import type { PbxHttp } from '../xapi/pbx-http.js';

/** The `Pbx.Recording` fields the relay reads. */
export interface XapiRecording {
  Id: number;
  RecordingUrl: string | null;
  StartTime: string | null;
  EndTime: string | null;
  FromDn: string | null;
  FromDnType: number | null;
  FromDisplayName: string | null;
  FromCallerNumber: string | null;
  FromDidNumber: string | null;
  ToDn: string | null;
  ToDnType: number | null;
  ToDisplayName: string | null;
  ToCallerNumber: string | null;
  ToDidNumber: string | null;
  /** `Local` | `InboundExternal` | `OutboundExternal`. */
  CallType: string | null;
  IsTranscribed: boolean | null;
  CanBeTranscribed?: boolean | null;
  Transcription: string | null;
  Summary: string | null;
  SentimentScore: number | null;
}

const SELECT = [
  'Id',
  'RecordingUrl',
  'StartTime',
  'EndTime',
  'FromDn',
  'FromDnType',
  'FromDisplayName',
  'FromCallerNumber',
  'FromDidNumber',
  'ToDn',
  'ToDnType',
  'ToDisplayName',
  'ToCallerNumber',
  'ToDidNumber',
  'CallType',
  'IsTranscribed',
  'Transcription',
  'Summary',
  'SentimentScore',
].join(',');

/**
 * Recordings with an id above `afterId`, oldest first: `GET /xapi/v1/Recordings` with
 * `$filter=Id gt …` in pages of 100 (at most `maxPages` requests). Needs the System Owner role.
 */
export async function readRecordingsAfter(
  http: PbxHttp,
  afterId: number,
  maxPages = 10,
): Promise<XapiRecording[]> {
  const out: XapiRecording[] = [];
  let after = afterId;
  for (let i = 0; i < maxPages; i++) {
    const q = odataQuery({
      $filter: `Id gt ${after}`,
      $orderby: 'Id asc',
      $top: String(XAPI_MAX_TOP),
      $select: SELECT,
    });
    const page = await getPage<XapiRecording>(http, `/xapi/v1/Recordings?${q}`);
    const rows = page.value.filter((r) => r && typeof r.Id === 'number' && r.Id > after);
    out.push(...rows);
    if (rows.length < XAPI_MAX_TOP) break;
    after = rows.at(-1)!.Id;
  }
  return out;
}

/** The newest recording id (0 when there is none): where a first run starts, without replaying history. */
export async function newestRecordingId(http: PbxHttp): Promise<number> {
  const page = await getPage<{ Id: number }>(
    http,
    `/xapi/v1/Recordings?${odataQuery({ $orderby: 'Id desc', $top: '1', $select: 'Id' })}`,
  );
  return typeof page.value[0]?.Id === 'number' ? page.value[0].Id : 0;
}
