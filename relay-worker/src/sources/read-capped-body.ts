import type { Dispatcher } from 'undici';
import { PbxError } from './pbx-error.js';

/** Largest XAPI / Call Control REST answer the relay reads (bytes): 4 MiB. */
export const MAX_PBX_RESPONSE_BYTES = 4 << 20;

/**
 * Reads a PBX response body as UTF-8, never holding more than `maxBytes`: a bigger body (by
 * `content-length` or while streaming) is abandoned (socket destroyed) and throws a
 * `TOO_LARGE` {@link PbxError}, so a broken PBX or proxy cannot make the worker buffer
 * without bound.
 */
export async function readCappedBody(
  res: Dispatcher.ResponseData,
  path: string,
  maxBytes = MAX_PBX_RESPONSE_BYTES,
): Promise<string> {
  const tooLarge = () => {
    res.body.destroy();
    return new PbxError(
      'TOO_LARGE',
      `PBX answered ${path} with more than ${Math.round(maxBytes / 1024)} KiB; not read`,
      res.statusCode,
    );
  };
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A short, log-safe description of a body that did not parse (what a proxy page looks like). */
export function describeBody(text: string): string {
  if (!text.trim()) return 'an empty body';
  const start = text.trimStart().slice(0, 40).replace(/\s+/g, ' ');
  return `something that is not JSON (${text.length} bytes, starting "${start}")`;
}
