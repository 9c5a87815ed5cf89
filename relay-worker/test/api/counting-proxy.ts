import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of the simulator that counts requests per path. */
export interface CountingProxy {
  url: string;
  /** Requests forwarded so far whose path (without query) is `path`. */
  count(path: string): number;
  /** The query strings (decoded) of the requests forwarded so far to `path`, in order. */
  queries(path: string): URLSearchParams[];
  close(): Promise<void>;
}

/** Forwards every HTTP request to `target` unchanged (no WebSocket upgrades). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const t = new URL(target);
  const counts = new Map<string, number>();
  const seen = new Map<string, URLSearchParams[]>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const path = url.pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    seen.set(path, [...(seen.get(path) ?? []), url.searchParams]);
    const up = http.request(
      {
        host: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: t.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (path) => counts.get(path) ?? 0,
    queries: (path) => seen.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
