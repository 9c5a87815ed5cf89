import type { ServerResponse } from 'node:http';

/** The broken 200 answers the `malformedResponses` fault can give (a broken PBX or a proxy in front). */
export const MALFORMED_RESPONSE_KINDS = [
  'truncated-json',
  'wrong-shape',
  'html',
  'oversized',
  'empty',
] as const;
export type MalformedResponseKind = (typeof MALFORMED_RESPONSE_KINDS)[number];

/** Size of the `oversized` body: 8 MiB of syntactically valid JSON. */
export const OVERSIZED_RESPONSE_BYTES = 8 << 20;

const TRUNCATED = '{"@odata.context":"$metadata#ActiveCalls","value":[{"Id":1,"Caller":"10';
const WRONG_SHAPE = '{"unexpected":"shape","value":{"not":"an array"},"Id":null}';
const HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

/**
 * Answers 200 with a broken body of `kind`. `oversized` is streamed in chunks (no
 * `content-length`, honouring backpressure) so the client has to cap it while reading;
 * it stops early when the client goes away.
 */
export async function sendMalformedResponse(res: ServerResponse, kind: MalformedResponseKind): Promise<void> {
  if (kind === 'oversized') return streamOversized(res);
  const body =
    kind === 'truncated-json'
      ? TRUNCATED
      : kind === 'wrong-shape'
        ? WRONG_SHAPE
        : kind === 'html'
          ? HTML
          : '';
  const type = kind === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function streamOversized(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  const row = (i: number) => `{"Id":${i},"Pad":"${'x'.repeat(1000)}"},`;
  let sent = 0;
  let i = 0;
  res.write('{"value":[');
  while (sent < OVERSIZED_RESPONSE_BYTES && !res.destroyed) {
    let chunk = '';
    while (chunk.length < 64 * 1024) chunk += row(i++);
    sent += chunk.length;
    if (!res.write(chunk)) await drainOrClose(res);
  }
  if (!res.destroyed) res.end(`{"Id":${i}}]}`);
}

/** Resolves on the next `drain` or `close`, leaving no listener behind. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}
