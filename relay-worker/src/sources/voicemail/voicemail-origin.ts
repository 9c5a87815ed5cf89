import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { parseRange, resolveRange } from '../../api/media/byte-range.js';
import type { MediaOrigin } from '../../api/media/media-origin.js';
import { AppError } from '../../errors.js';
import { voicemailFile } from './voicemail-rows.js';

/** A file name 3CX wrote (`vmail_…wav`): no path parts, nothing that climbs out of the folder. */
const SAFE_NAME = /^[\w.-]+\.wav$/i;

/**
 * Voicemail audio from the PBX's disk (the relay runs on the PBX): the message's `wav_file` in
 * `PBX_VOICEMAIL_DIR`, looked for as `<dir>/<mailbox>/<file>`, then `<dir>/<file>` (the layout is
 * [UNVERIFIED]). The row is read first (one primary-key query), so a removed message is a 404.
 */
export function voicemailOrigin(dir: string, pbxPool: () => pg.Pool | undefined): MediaOrigin {
  return {
    async open(id, range) {
      const pool = pbxPool();
      if (!pool) return null;
      const row = await voicemailFile(pool, Number(id));
      if (!row || !SAFE_NAME.test(row.wav_file) || !/^[\w-]+$/.test(row.callee)) return null;
      // Opened, not only stat'ed: stat needs only the folders above, so a file the worker may not
      // read would pass and then fail after the 200 was sent. The open tells before any header.
      let handle: FileHandle | null = null;
      let size = 0;
      for (const candidate of [path.join(dir, row.callee, row.wav_file), path.join(dir, row.wav_file)]) {
        const h = await open(candidate, 'r').catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'EACCES' || err.code === 'EPERM')
            throw new AppError(
              'UNAVAILABLE',
              `cannot read ${candidate}: permission denied (the worker's user needs read access to PBX_VOICEMAIL_DIR; install.sh grants it, see docs/install.md)`,
            );
          return null;
        });
        if (!h) continue;
        const s = await h.stat().catch(() => null);
        if (s?.isFile()) {
          handle = h;
          size = s.size;
          break;
        }
        await h.close();
      }
      if (!handle) return null;
      const base = { contentType: 'audio/wav', fileName: row.wav_file };
      const r = parseRange(range);
      const span = r ? resolveRange(r, size) : null;
      if (r && !span) {
        await handle.close();
        return {
          ...base,
          status: 416,
          contentLength: 0,
          contentRange: `bytes */${size}`,
          body: Readable.from([]),
        };
      }
      if (span)
        return {
          ...base,
          status: 206,
          contentLength: span.end - span.start + 1,
          contentRange: `bytes ${span.start}-${span.end}/${size}`,
          body: handle.createReadStream({ start: span.start, end: span.end }),
        };
      return {
        ...base,
        status: 200,
        contentLength: size,
        contentRange: null,
        body: handle.createReadStream(),
      };
    },
  };
}
