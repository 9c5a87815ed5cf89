import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver took, with the outcome of its signature check. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The verified payload, or null when the signature did not verify. */
  payload: { type?: string; timestamp?: string; data?: unknown } | null;
  verifyError: string | null;
}

/**
 * A webhook receiver on 127.0.0.1 (node:http) that checks every request's Standard Webhooks
 * signature with the reference `standardwebhooks` verifier, once the test knows the secret
 * (`setSecret`), and answers 200 with a short body.
 */
export async function startReceiver() {
  const received: Received[] = [];
  let secret: string | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: Received['payload'] = null;
      let verifyError: string | null = secret ? null : 'no secret set';
      if (secret) {
        try {
          payload = new Webhook(secret).verify(body, {
            'webhook-id': String(req.headers['webhook-id'] ?? ''),
            'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
            'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
          }) as Received['payload'];
        } catch (err) {
          verifyError = (err as Error).message;
        }
      }
      received.push({ headers: req.headers, body, payload, verifyError });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('received by e2e');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    setSecret(s: string) {
      secret = s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
