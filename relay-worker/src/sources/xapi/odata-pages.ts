import { PbxError } from '../pbx-error.js';
import type { PbxHttp } from './pbx-http.js';

/**
 * The most rows one XAPI collection request asks for. Real V20 systems answer `$top` above 100
 * with HTTP 400 ("The limit of '100' for Top query has been exceeded", [FIELD], 20.0.9).
 */
export const XAPI_MAX_TOP = 100;

/** One answer of an OData collection. */
export interface ODataPage<T> {
  value: T[];
  /** `@odata.count` (rows matching the filter, before `$top`/`$skip`), when asked for and given. */
  count: number | null;
  /** `@odata.nextLink` as a path on the PBX (`/xapi/v1/…?…`), when the server cut the answer short. */
  nextLink: string | null;
}

/** Reads one collection answer; throws MALFORMED when it is not one. */
export async function getPage<T>(http: PbxHttp, path: string): Promise<ODataPage<T>> {
  const res = await http.getJson<{ value?: unknown; '@odata.count'?: unknown; '@odata.nextLink'?: unknown }>(
    path,
  );
  const name = path.split('?')[0];
  if (!res.body || typeof res.body !== 'object' || !Array.isArray(res.body.value))
    throw new PbxError('MALFORMED', `${name} answered without a value array`, res.status);
  const count = res.body['@odata.count'];
  return {
    value: res.body.value as T[],
    count: typeof count === 'number' ? count : null,
    nextLink: nextLinkPath(res.body['@odata.nextLink']),
  };
}

/**
 * The path and query of a next link. Only its path and query are used: a PBX behind a proxy
 * names itself by its own host name, which the relay may not reach.
 */
function nextLinkPath(link: unknown): string | null {
  if (typeof link !== 'string' || !link) return null;
  try {
    const u = new URL(link, 'http://pbx.invalid');
    return u.pathname.startsWith('/xapi/v1/') ? `${u.pathname}${u.search}` : null;
  } catch {
    return null;
  }
}

/** Query string with OData's `%20` for spaces (3CX's parser does not read `+`). */
export function odataQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString().replace(/\+/g, '%20');
}

/** Options of {@link readPages}. */
export interface ReadPagesOptions {
  /** Rows to skip first. */
  skip: number;
  /** Rows wanted. */
  want: number;
  /** Requests at most (a guard against a PBX that never stops paging). Default 50. */
  maxPages?: number;
}

/**
 * Reads up to `want` rows of a collection (`path` plus `params`, without `$top`/`$skip`) in
 * requests of at most {@link XAPI_MAX_TOP} rows, with `$count=true`. Follows `@odata.nextLink`
 * when the PBX sends one; when an answer is shorter than asked without one (some builds cut
 * the first page short), `@odata.count` says whether more rows remain and the next request
 * starts where the answer stopped. Returns the rows and the PBX's total.
 */
export async function readPages<T>(
  http: PbxHttp,
  path: string,
  params: Record<string, string>,
  o: ReadPagesOptions,
): Promise<{ items: T[]; total: number | null }> {
  const items: T[] = [];
  let total: number | null = null;
  let skip = o.skip;
  let next: string | null = null;
  for (let pages = 0; items.length < o.want && pages < (o.maxPages ?? 50); pages++) {
    const top = Math.min(XAPI_MAX_TOP, o.want - items.length);
    const page: ODataPage<T> = await getPage<T>(
      http,
      next ?? `${path}?${odataQuery({ ...params, $count: 'true', $top: String(top), $skip: String(skip) })}`,
    );
    total = page.count ?? total;
    items.push(...page.value.slice(0, o.want - items.length));
    skip += page.value.length;
    next = page.nextLink;
    if (page.value.length === 0 || (total !== null && skip >= total)) break;
    if (!next && page.value.length < top && total === null) break; // short, and nothing says more remain
  }
  return { items, total };
}
