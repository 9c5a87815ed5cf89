import { compileFilter, ODataQueryError } from './odata-filter.js';

/** The result of applying OData query options to a collection. */
export interface QueryResult {
  value: Record<string, unknown>[];
  /** Set when `$count=true`: the count after `$filter`, before `$top/$skip`. */
  count?: number;
  /** The `$select` list, for `@odata.context`. */
  select?: string[];
  /** Set when server-driven paging cut the answer short: where the rest starts, and how many rows `$top` still allows (null: all). */
  next?: { skip: number; top: number | null };
}

/** Server limits on collection reads (see `maxTop`, `serverPageSize` in the options). */
export interface PagingLimits {
  /** Largest `$top` accepted; null for none. */
  maxTop: number | null;
  /** Most rows in one answer; null for none. */
  pageSize: number | null;
}

/** The 400 a V20 system answers to `$top` above its limit, word for word ([FIELD], 20.0.9). */
export function topLimitMessage(limit: number, requested: number): string {
  return `The query specified in the URI is not valid. The limit of '${limit}' for Top query has been exceeded. The value from the incoming request is '${requested}'.`;
}

function nonNegativeInt(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw new ODataQueryError(`Invalid value '${raw}' for ${name} query option found.`);
  return Number(raw);
}

/** Parses `$orderby` ("Field [asc|desc], ...") into a comparator. */
function orderBy(text: string, fields: readonly string[]) {
  const keys = text.split(',').map((part) => {
    const [field = '', dir = 'asc', extra] = part.trim().split(/\s+/);
    if (!fields.includes(field) || extra || !/^(asc|desc)$/i.test(dir)) {
      throw new ODataQueryError(`Invalid $orderby clause '${part.trim()}'.`);
    }
    return { field, sign: dir.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const { field, sign } of keys) {
      const x = a[field] as string | number | null;
      const y = b[field] as string | number | null;
      if (x === y) continue;
      if (x === null || x === undefined) return -sign;
      if (y === null || y === undefined) return sign;
      return x < y ? -sign : sign;
    }
    return 0;
  };
}

/**
 * Applies `$filter $orderby $count $skip $top $select` to `items`, within `limits`. Throws
 * {@link ODataQueryError}.
 */
export function applyQuery(
  items: Record<string, unknown>[],
  params: URLSearchParams,
  fields: readonly string[],
  limits: PagingLimits = { maxTop: null, pageSize: null },
): QueryResult {
  let rows = items;
  const filter = params.get('$filter');
  if (filter) rows = rows.filter(compileFilter(filter, fields));
  const order = params.get('$orderby');
  if (order) rows = [...rows].sort(orderBy(order, fields));
  const countRaw = params.get('$count');
  if (countRaw !== null && !/^(true|false)$/i.test(countRaw))
    throw new ODataQueryError(`Invalid $count '${countRaw}'.`);
  const count = countRaw?.toLowerCase() === 'true' ? rows.length : undefined;
  const skip = nonNegativeInt(params, '$skip') ?? 0;
  const top = nonNegativeInt(params, '$top');
  if (top !== undefined && limits.maxTop !== null && top > limits.maxTop)
    throw new ODataQueryError(topLimitMessage(limits.maxTop, top));
  const end = Math.min(rows.length, top === undefined ? Infinity : skip + top);
  const pageEnd = limits.pageSize === null ? end : Math.min(end, skip + limits.pageSize);
  const next =
    pageEnd < end ? { skip: pageEnd, top: top === undefined ? null : skip + top - pageEnd } : undefined;
  rows = rows.slice(skip, pageEnd);
  const select = selectList(params, fields);
  if (select) rows = rows.map((r) => Object.fromEntries(select.map((f) => [f, r[f] ?? null])));
  return {
    value: rows,
    ...(count === undefined ? {} : { count }),
    ...(select ? { select } : {}),
    ...(next ? { next } : {}),
  };
}

/** Parses `$select`; undefined when absent. */
export function selectList(params: URLSearchParams, fields: readonly string[]): string[] | undefined {
  const raw = params.get('$select');
  if (!raw) return undefined;
  const list = raw.split(',').map((s) => s.trim());
  for (const f of list)
    if (!fields.includes(f)) throw new ODataQueryError(`Could not find a property named '${f}'.`);
  return list;
}

export { ODataQueryError };
