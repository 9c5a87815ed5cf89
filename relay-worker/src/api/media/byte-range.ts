import { Transform } from 'node:stream';

/** A single byte range asked for with `Range: bytes=…` (multi-range requests are served whole). */
export type ByteRange = { start: number; end: number | null } | { suffix: number };

/** Parses a `Range` header; null when absent, malformed or multi-range (then the whole file is sent). */
export function parseRange(header: string | undefined): ByteRange | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === '' ? null : Number(m[2]);
  return end !== null && end < start ? null : { start, end };
}

/** The inclusive byte span of a range in a file of `size` bytes, or null when it is past the end. */
export function resolveRange(r: ByteRange, size: number): { start: number; end: number } | null {
  if ('suffix' in r) return r.suffix === 0 ? null : { start: Math.max(0, size - r.suffix), end: size - 1 };
  if (r.start >= size) return null;
  return { start: r.start, end: Math.min(r.end ?? size - 1, size - 1) };
}

/** Passes on bytes `start`..`end` (inclusive) of a stream and drops the rest. */
export function sliceStream(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}
