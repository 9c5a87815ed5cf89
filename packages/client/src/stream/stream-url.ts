import { normalizeBaseUrl } from '../rest/relay-client.js';

/** Server-side filters of the stream; an empty or absent list means "any". */
export interface StreamFilter {
  /** Event types, exact or with a trailing wildcard: `['call.*', 'cdr.created']`. */
  types?: readonly string[];
  /** Only events involving one of these extensions. */
  extensions?: readonly string[];
  /** Only events involving one of these dialled numbers. */
  dids?: readonly string[];
  /** Only events involving one of these queues. */
  queues?: readonly string[];
  /**
   * Only events of one of these 3CX departments (`Sales`, `__DEFAULT__`). Only CDR events
   * (`cdr.created`, `call.completed`) carry departments, so this filter passes no live event.
   */
  departments?: readonly string[];
}

/** `ws(s)://…/relay/ws?types=…&since=…` (or `&snapshot=true`) for a base URL given as http(s) or ws(s). */
export function streamUrl(
  baseUrl: string,
  filter: StreamFilter,
  since: bigint | null,
  snapshot = false,
): string {
  const url = new URL(`${normalizeBaseUrl(baseUrl)}/relay/ws`);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  for (const name of ['types', 'extensions', 'dids', 'queues', 'departments'] as const) {
    const values = filter[name];
    if (values?.length) url.searchParams.set(name, values.join(','));
  }
  if (since !== null) url.searchParams.set('since', since.toString());
  else if (snapshot) url.searchParams.set('snapshot', 'true');
  return url.toString();
}
