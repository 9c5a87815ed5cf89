import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { encodeTextFrame } from './ws-frame.js';

// ws's frame parser (exported at run time, not in its types).
const { Receiver } = wsModule as unknown as {
  Receiver: new (o: { isServer: boolean }) => NodeJS.WritableStream & NodeJS.EventEmitter;
};

function parse(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new Receiver({ isServer: false });
    r.on('message', (data: Buffer) => resolve(data.toString()));
    r.on('error', reject);
    r.write(frame);
  });
}

describe('encodeTextFrame', () => {
  it.each([5, 125, 126, 65_535, 65_536, 200_000])(
    'frames a %d-byte payload the ws parser reads back',
    async (n) => {
      const text = 'x'.repeat(n - 2) + 'ü';
      expect(Buffer.byteLength(text)).toBe(n);
      expect(await parse(encodeTextFrame(Buffer.from(text)))).toBe(text);
    },
  );
});
