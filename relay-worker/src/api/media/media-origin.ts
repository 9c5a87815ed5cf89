import type { Readable } from 'node:stream';
import { PbxError } from '../../sources/pbx-error.js';
import type { PbxHttp } from '../../sources/xapi/pbx-http.js';

/** An opened media item: status 200 (whole), 206 (the range asked for) or 416 (range past the end). */
export interface MediaResponse {
  status: number;
  contentType: string;
  /** Bytes in `body`, when known. */
  contentLength: number | null;
  /** `Content-Range` of a 206 or 416. */
  contentRange: string | null;
  /** The file name to offer, when known. */
  fileName: string | null;
  body: Readable;
}

/** Where media comes from: the PBX's XAPI (recordings) or its voicemail files. */
export interface MediaOrigin {
  /** Opens an item, passing a `Range` header on; null when it does not exist. Throws PbxError. */
  open(id: string, range: string | undefined): Promise<MediaResponse | null>;
}

const header = (h: Record<string, string | string[] | undefined>, name: string): string | null => {
  const v = h[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
};

/**
 * Recordings through XAPI `Recordings/Pbx.DownloadRecording(recId=N)` (System Owner role).
 * The `Range` header goes to 3CX; whether it honours it does not matter, the route slices a
 * whole answer itself.
 */
export function recordingOrigin(http: PbxHttp): MediaOrigin {
  return {
    async open(id, range) {
      const path = `/xapi/v1/Recordings/Pbx.DownloadRecording(recId=${Number(id)})`;
      const res = await http.getStream(path, range ? { range } : {});
      if (res.statusCode === 404) {
        await res.body.dump();
        return null;
      }
      if (![200, 206, 416].includes(res.statusCode)) {
        const text = await res.body.text().catch(() => '');
        throw new PbxError(
          res.statusCode === 403 ? 'FORBIDDEN' : 'HTTP',
          res.statusCode === 403
            ? 'PBX refused the recording download (403): the API client needs the System Owner role'
            : `PBX answered the recording download with ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`,
          res.statusCode,
        );
      }
      const length = header(res.headers, 'content-length');
      const disposition = header(res.headers, 'content-disposition');
      return {
        status: res.statusCode,
        contentType: header(res.headers, 'content-type') ?? 'audio/wav',
        contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
        contentRange: header(res.headers, 'content-range'),
        fileName: /filename="?([^";]+)"?/.exec(disposition ?? '')?.[1] ?? null,
        body: res.body,
      };
    },
  };
}
