import type { IncomingMessage } from 'node:http';

/** Reads the request body (capped at 1 MiB). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > 1 << 20) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Parses `application/x-www-form-urlencoded` or `multipart/form-data` text fields. */
export function parseForm(contentType: string | undefined, body: Buffer): Record<string, string> {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
    return boundary ? parseMultipart(body.toString('utf8'), boundary) : {};
  }
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function parseMultipart(text: string, boundary: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    out[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return out;
}

/** Parses a JSON body; `{}` when empty, null when invalid. */
export function parseJson(body: Buffer): Record<string, unknown> | null {
  if (!body.length) return {};
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
