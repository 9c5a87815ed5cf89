import type { IncomingMessage } from 'node:http';

/** Up to `maxBytes` of a refused upgrade's body, waiting at most `timeoutMs`; never throws. */
export function readRefusal(res: IncomingMessage, maxBytes = 8192, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      res.destroy();
      resolve(Buffer.concat(chunks).toString('utf8').slice(0, maxBytes));
    };
    const timer = setTimeout(done, timeoutMs);
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) done();
    });
    res.once('end', done).once('error', done).once('close', done);
  });
}
