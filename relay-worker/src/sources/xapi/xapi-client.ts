import { PbxError } from '../pbx-error.js';
import { getPage, odataQuery, readPages, XAPI_MAX_TOP } from './odata-pages.js';
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
  /** Rows wanted (1–1000); read from the PBX in pages of at most 100. */
  top: number;
  skip: number;
}

/** A page of call history, newest first; `total` is the PBX's count of all matching segments. */
export interface CallHistoryPage {
  total: number | null;
  items: CallHistorySegment[];
}

/** Pages of ActiveCalls read at most (100 each): far more calls than any V20 licence allows. */
const MAX_ACTIVE_CALL_PAGES = 50;

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

  /**
   * The PBX's current calls (`GET /xapi/v1/ActiveCalls`), oldest first. Read in pages of 100
   * keyed on `Id` (`$filter=Id gt <last>`), not `$skip`: a call that ends between two pages
   * would shift the rest by one and hide a live call from the end check.
   */
  async activeCalls(): Promise<XapiActiveCall[]> {
    const out: XapiActiveCall[] = [];
    let after: number | null = null;
    for (let pages = 0; pages < MAX_ACTIVE_CALL_PAGES; pages++) {
      const query = odataQuery({
        ...(after === null ? {} : { $filter: `Id gt ${after}` }),
        $orderby: 'Id asc',
        $top: String(XAPI_MAX_TOP),
        $count: 'true',
      });
      const page = await getPage<XapiActiveCall>(this.http, `/xapi/v1/ActiveCalls?${query}`);
      const rows = page.value.filter((c) => c && typeof c.Id === 'number');
      out.push(...rows);
      const last = rows.at(-1)?.Id;
      const more = page.count !== null ? page.value.length < page.count : page.value.length >= XAPI_MAX_TOP;
      if (!more || last === undefined || (after !== null && last <= after)) break;
      after = last;
    }
    return out.sort((a, b) => (a.EstablishedAt ?? '').localeCompare(b.EstablishedAt ?? ''));
  }

  /**
   * `q.top` rows of `GET /xapi/v1/CallHistoryView` from `q.skip` on, filtered by time (and
   * optionally a DN or a number), newest first, with the total count; read in pages of at most
   * 100 rows. Needs the System Owner role (403 otherwise).
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
    return readPages<CallHistorySegment>(
      this.http,
      '/xapi/v1/CallHistoryView',
      { $filter: filters.join(' and '), $orderby: 'SegmentStartTime desc' },
      { skip: Math.max(0, q.skip), want: Math.min(1000, Math.max(1, q.top)) },
    );
  }
}
