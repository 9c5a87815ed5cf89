import { PbxError } from '../pbx-error.js';
import type { PbxHttp } from './pbx-http.js';

/** One row of `GET /xapi/v1/ActiveCalls` (3CX `Pbx.ActiveCall`). */
export interface XapiActiveCall {
  Id: number;
  Caller: string | null;
  Callee: string | null;
  Status: string | null;
  EstablishedAt: string | null;
  LastChangeStatus: string | null;
  ServerNow: string | null;
}

/** One segment of `GET /xapi/v1/CallHistoryView` (3CX `Pbx.CallHistoryView`), as 3CX returns it. */
export interface CallHistorySegment {
  SegmentId: number;
  SegmentStartTime: string;
  SegmentEndTime: string;
  SegmentType: number;
  SegmentActionId: number;
  CallAnswered: boolean | null;
  CallTime: string;
  SrcDn: string | null;
  SrcDnType: number;
  SrcCallerNumber: string | null;
  SrcDisplayName: string | null;
  SrcInternal: boolean;
  SrcExternal: boolean;
  DstDn: string | null;
  DstDnType: number;
  DstCallerNumber: string | null;
  DstDisplayName: string | null;
  DstInternal: boolean;
  DstExternal: boolean;
  [field: string]: unknown;
}

/** Query of {@link XapiClient.getCallHistory}. */
export interface CallHistoryQuery {
  /** Segments starting at or after this instant. */
  from: Date;
  /** Segments starting before this instant. */
  to: Date;
  /** Only segments where this DN is source or destination. */
  extension?: string | undefined;
  /** Only segments whose source or destination number contains this text. */
  number?: string | undefined;
  /** Page size (1–1000). */
  top: number;
  skip: number;
}

/** A page of call history, newest first; `total` is the PBX's count of all matching segments. */
export interface CallHistoryPage {
  total: number | null;
  items: CallHistorySegment[];
}

interface ODataCollection<T> {
  value?: T[];
  '@odata.count'?: number;
}

/** OData string literal: single-quoted, embedded quotes doubled. */
function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * The XAPI calls the relay makes. Every method goes through {@link PbxHttp} (shared token,
 * 401 → renew once) and throws a classified {@link PbxError} (403 → "needs System Owner role").
 */
export class XapiClient {
  constructor(private readonly http: PbxHttp) {}

  /** Health probe: `GET /xapi/v1/Defs?$select=Id`; returns the round-trip latency in ms. */
  async probe(): Promise<number> {
    const res = await this.http.getJson<{ Id?: unknown }>('/xapi/v1/Defs?$select=Id');
    if (!res.body || typeof res.body !== 'object' || Array.isArray(res.body) || res.body.Id == null)
      throw new PbxError('MALFORMED', 'Defs answered without an object carrying Id', res.status);
    return res.latencyMs;
  }

  /** The PBX's current calls (`GET /xapi/v1/ActiveCalls`), oldest first. */
  async activeCalls(): Promise<XapiActiveCall[]> {
    const res = await this.http.getJson<ODataCollection<XapiActiveCall>>(
      '/xapi/v1/ActiveCalls?$orderby=EstablishedAt%20asc&$top=1000',
    );
    if (!Array.isArray(res.body?.value))
      throw new PbxError('MALFORMED', 'ActiveCalls answered without a value array', res.status);
    return res.body.value.filter((c) => c && typeof c.Id === 'number');
  }

  /**
   * One page of `GET /xapi/v1/CallHistoryView` filtered by time (and optionally a DN or a
   * number), newest first, with the total count. Needs the System Owner role (403 otherwise).
   */
  async getCallHistory(q: CallHistoryQuery): Promise<CallHistoryPage> {
    const filters = [
      `SegmentStartTime ge ${q.from.toISOString()}`,
      `SegmentStartTime lt ${q.to.toISOString()}`,
    ];
    if (q.extension)
      filters.push(`(SrcDn eq ${odataString(q.extension)} or DstDn eq ${odataString(q.extension)})`);
    if (q.number) {
      const n = odataString(q.number);
      filters.push(`(contains(SrcCallerNumber,${n}) or contains(DstCallerNumber,${n}))`);
    }
    const params = new URLSearchParams({
      $filter: filters.join(' and '),
      $orderby: 'SegmentStartTime desc',
      $count: 'true',
      $top: String(Math.min(1000, Math.max(1, q.top))),
      $skip: String(Math.max(0, q.skip)),
    });
    const res = await this.http.getJson<ODataCollection<CallHistorySegment>>(
      `/xapi/v1/CallHistoryView?${params.toString().replace(/\+/g, '%20')}`,
    );
    if (!Array.isArray(res.body?.value))
      throw new PbxError('MALFORMED', 'CallHistoryView answered without a value array', res.status);
    return {
      total: typeof res.body['@odata.count'] === 'number' ? res.body['@odata.count'] : null,
      items: res.body.value,
    };
  }
}
