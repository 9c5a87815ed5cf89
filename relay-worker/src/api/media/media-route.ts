import { pipeline, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../errors.js';
import { PbxError } from '../../sources/pbx-error.js';
import { parseRange, resolveRange, sliceStream } from './byte-range.js';
import type { MediaLinks, MediaKind } from './media-links.js';
import type { MediaOrigin, MediaResponse } from './media-origin.js';

export interface MediaRouteDeps {
  links: MediaLinks;
  /** API-key check with scope `recordings:read` (used when the URL is not signed). */
  auth: preHandlerAsyncHookHandler;
  /** Where each kind comes from; a kind without an origin answers 503 naming what to configure. */
  origins: Partial<Record<MediaKind, MediaOrigin>>;
  unavailable: Record<MediaKind, string>;
}

/**
 * `GET /relay/recordings/{id}` and `GET /relay/voicemails/{id}` (and HEAD): the audio, streamed
 * from the PBX, never cached. Authorised by an API key with scope `recordings:read` or by a
 * signed link (`expires` + `sig`, see {@link MediaLinks}). Honours one `Range: bytes=…` (206,
 * or 416 past the end), also when the PBX itself sends the whole file.
 */
export function registerMediaRoutes(app: FastifyInstance, d: MediaRouteDeps): void {
  for (const kind of ['recordings', 'voicemails'] as const) {
    app.get<{ Params: { id: string }; Querystring: { expires?: string; sig?: string } }>(
      `/relay/${kind}/:id`,
      {
        preHandler: async function (this: FastifyInstance, req, reply) {
          if (req.query.sig === undefined && req.query.expires === undefined)
            return d.auth.call(this, req, reply);
          const verdict = d.links.check(kind, req.params.id, req.query.expires, req.query.sig, new Date());
          if (verdict !== 'ok')
            throw new AppError(
              'FORBIDDEN',
              verdict === 'expired' ? 'this link has expired' : 'invalid link signature',
            );
        },
      },
      (req, reply) => serve(kind, req, reply, d),
    );
  }
}

async function serve(
  kind: MediaKind,
  req: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  d: MediaRouteDeps,
): Promise<FastifyReply> {
  if (!/^\d{1,10}$/.test(req.params.id)) throw new AppError('NOT_FOUND', `no such ${kind.slice(0, -1)}`);
  const origin = d.origins[kind];
  if (!origin) throw new AppError('UNAVAILABLE', d.unavailable[kind]);
  let media: MediaResponse | null;
  try {
    media = await origin.open(req.params.id, req.headers.range);
  } catch (err) {
    if (err instanceof PbxError || err instanceof AppError)
      throw new AppError('UPSTREAM_ERROR', err.message, undefined, { cause: err });
    throw err;
  }
  if (!media) throw new AppError('NOT_FOUND', `no ${kind.slice(0, -1)} ${req.params.id}`);
  reply
    .header('content-type', media.contentType)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, no-store');
  if (media.fileName) reply.header('content-disposition', `attachment; filename="${media.fileName}"`);
  const range = parseRange(req.headers.range);
  if (media.status === 200 && range && media.contentLength !== null) {
    const span = resolveRange(range, media.contentLength);
    if (!span) {
      discard(media.body);
      return reply.code(416).header('content-range', `bytes */${media.contentLength}`).send();
    }
    return reply
      .code(206)
      .header('content-range', `bytes ${span.start}-${span.end}/${media.contentLength}`)
      .header('content-length', span.end - span.start + 1)
      .send(pipeline(media.body, sliceStream(span.start, span.end), () => {}));
  }
  if (media.contentRange) reply.header('content-range', media.contentRange);
  if (media.contentLength !== null) reply.header('content-length', media.contentLength);
  if (media.status !== 416) return reply.code(media.status).send(media.body);
  discard(media.body);
  return reply.code(416).send();
}

/** Drops an upstream body we will not send (its abort error is expected, not a failure). */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
