import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPbxDispatcher } from '../../src/sources/xapi/pbx-http.js';
import { insecureTlsAllowed } from '../../src/sources/pbx-tls.js';

let server: https.Server;
let port: number;
const dir = mkdtempSync(path.join(os.tmpdir(), 'pbx-tls-'));

beforeAll(async () => {
  // A self-signed certificate, as a PBX on the box may present.
  execFileSync('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-days', '1', '-subj', '/CN=pbx.local', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ...['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'crt.pem')],
  ]);
  server = https.createServer(
    { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'crt.pem')) },
    (_req, res) => res.end('{}'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('PBX_TLS_INSECURE', () => {
  it('accepts the self-signed certificate of the configured PBX host and port only', async () => {
    const dispatcher = createPbxDispatcher({ pbxUrl: `https://127.0.0.1:${port}`, insecureTls: true });
    try {
      const ok = await request(`https://127.0.0.1:${port}/xapi/v1/Defs`, { dispatcher });
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
      // The same server under another name is another host: its certificate is checked.
      await expect(request(`https://localhost:${port}/`, { dispatcher })).rejects.toThrow(/self[- ]signed/i);
    } finally {
      await dispatcher.close();
    }
  });

  it('is off by default: the PBX certificate is checked', async () => {
    const dispatcher = createPbxDispatcher({ pbxUrl: `https://127.0.0.1:${port}` });
    try {
      await expect(request(`https://127.0.0.1:${port}/`, { dispatcher })).rejects.toThrow(/self[- ]signed/i);
    } finally {
      await dispatcher.close();
    }
  });

  it('matches host and port with the scheme defaults (the Call Control wss:// URL of the PBX counts)', () => {
    expect(
      insecureTlsAllowed('https://pbx.example.com', true, 'wss://pbx.example.com:443/callcontrol/ws'),
    ).toBe(true);
    expect(
      insecureTlsAllowed('https://pbx.example.com:5001', true, 'wss://pbx.example.com/callcontrol/ws'),
    ).toBe(false);
    expect(insecureTlsAllowed('https://pbx.example.com', true, 'https://evil.example.com')).toBe(false);
    expect(insecureTlsAllowed('https://pbx.example.com', false, 'https://pbx.example.com')).toBe(false);
  });
});
