import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from '../auth/bearer.js';
import { sendEmpty, sendJson, sendODataError, sendUnauthorized } from '../http/respond.js';
import { versionAtLeast } from '../options.js';
import type { SimContext } from '../sim-context.js';
import { ACTIVE_CALL_FIELDS, dropActiveCall, listActiveCalls } from './active-calls.js';
import { CALL_HISTORY_FIELDS, listCallHistory } from './call-history-view.js';
import { CALL_LOG_FIELDS, listCallLog } from './call-log-data.js';
import { parseCallLogParams } from './call-log-params.js';
import { applyQuery, ODataQueryError, selectList } from './odata-query.js';
import { defsBody, licenseParametersBody, systemStatusBody } from './system-endpoints.js';
import { usersAndQueues } from './users-queues.js';
import { downloadRecording, listRecordings, RECORDING_FIELDS } from './recordings.js';

/** Paths a System Admin client gets 403 on ([FIELD S5, S9]). */
const OWNER_ONLY = /^(CallHistoryView|ReportCallLogData|Recordings|ChatHistoryView)\b/;

/** Serves `/xapi/v1/*`. `path` is the decoded part after `/xapi/v1/`. */
export function handleXapi(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SimContext,
  path: string,
  params: URLSearchParams,
): void {
  const client = authenticate(req, ctx.tokens);
  if (!client) return sendUnauthorized(res);
  if (OWNER_ONLY.test(path) && client.role !== 'System Owner') {
    return sendODataError(
      res,
      403,
      'Forbidden',
      'The API client role does not allow access to this resource.',
    );
  }
  try {
    route(req, res, ctx, path, params);
  } catch (err) {
    if (err instanceof ODataQueryError) return sendODataError(res, 400, 'BadRequest', err.message);
    throw err;
  }
}

function collection(
  res: ServerResponse,
  ctx: SimContext,
  path: string,
  set: string,
  items: Record<string, unknown>[],
  params: URLSearchParams,
  fields: readonly string[],
) {
  const { maxTop, serverPageSize, serverPageNextLink } = ctx.opts;
  const r = applyQuery(items, params, fields, { maxTop, pageSize: serverPageSize });
  const context = `${ctx.baseUrl}/xapi/v1/$metadata#${set}${r.select ? `(${r.select.join(',')})` : ''}`;
  sendJson(res, 200, {
    '@odata.context': context,
    ...(r.count === undefined ? {} : { '@odata.count': r.count }),
    value: r.value,
    ...(r.next && serverPageNextLink ? { '@odata.nextLink': nextLink(ctx, path, params, r.next) } : {}),
  });
}

/** Where the rest of a cut-short collection is: the same query from the next row on. */
function nextLink(
  ctx: SimContext,
  path: string,
  params: URLSearchParams,
  next: { skip: number; top: number | null },
): string {
  const q = new URLSearchParams(params);
  q.set('$skip', String(next.skip));
  if (next.top === null) q.delete('$top');
  else q.set('$top', String(next.top));
  return `${ctx.baseUrl}/xapi/v1/${encodeURI(path)}?${q.toString().replace(/\+/g, '%20')}`;
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: SimContext,
  path: string,
  params: URLSearchParams,
): void {
  const get = req.method === 'GET';
  if (get && path === 'ActiveCalls')
    return collection(res, ctx, path, 'ActiveCalls', listActiveCalls(ctx.state), params, ACTIVE_CALL_FIELDS);
  const drop = /^ActiveCalls\((-?\d+)\)\/Pbx\.DropCall$/.exec(path);
  if (drop && req.method === 'POST') {
    if (!dropActiveCall(ctx.state, Number(drop[1])))
      return sendODataError(res, 404, 'NotFound', `Call ${drop[1]} not found.`);
    return sendJson(res, 200, {});
  }
  if (get && path === 'CallHistoryView')
    return collection(
      res,
      ctx,
      path,
      'CallHistoryView',
      listCallHistory(ctx.history),
      params,
      CALL_HISTORY_FIELDS,
    );
  const fn = /^ReportCallLogData\/Pbx\.GetCallLogData\((.*)\)$/s.exec(path);
  if (get && fn) {
    const parsed = parseCallLogParams(fn[1] ?? '');
    if (!parsed.ok) {
      if (parsed.status === 404) return sendEmpty(res, 404);
      return sendODataError(res, 500, 'InternalServerError', parsed.message);
    }
    const fields = versionAtLeast(ctx.opts.version, '20.0.10')
      ? [...CALL_LOG_FIELDS, 'Recordings']
      : CALL_LOG_FIELDS;
    return collection(
      res,
      ctx,
      path,
      'Collection(Pbx.CallLogData)',
      listCallLog(ctx.history, parsed.params, ctx.opts.version),
      params,
      fields,
    );
  }
  if (get && path === 'Defs') {
    const select = selectList(params, [
      'Id',
      'Codecs',
      'GatewayParameters',
      'GatewayParameterValues',
      'TimeZones',
    ]);
    return sendJson(res, 200, defsBody(ctx, select));
  }
  if (get && path === 'SystemStatus') return sendJson(res, 200, systemStatusBody(ctx));
  if (get && path === 'Defs/Pbx.GetLicenseParameters()')
    return sendJson(res, 200, licenseParametersBody(ctx));
  if (get && path === 'Recordings')
    return collection(
      res,
      ctx,
      path,
      'Recordings',
      listRecordings(ctx.history.recordings),
      params,
      RECORDING_FIELDS,
    );
  const download = /^Recordings\/Pbx\.DownloadRecording\(recId=(-?\d+)\)$/.exec(path);
  if (download && (req.method === 'GET' || req.method === 'HEAD'))
    return downloadRecording(
      req,
      res,
      ctx.history.recordings,
      Number(download[1]),
      ctx.opts.recordingRangeRequests,
    );
  const uq = get ? usersAndQueues(path, params, ctx.users) : undefined;
  if (uq === 'not-found') return sendODataError(res, 404, 'NotFound', 'The queue was not found.');
  if (uq) return collection(res, ctx, path, uq.set, uq.items, uq.params, uq.fields);
  sendEmpty(res, 404);
}
