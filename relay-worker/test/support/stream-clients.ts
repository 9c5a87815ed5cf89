import WebSocket from 'ws';

/** One message a stream client received (WebSocket message or SSE event), parsed. */
export interface StreamMessage {
  kind: string;
  sequence?: string;
  [k: string]: unknown;
}

/** What a test stream client collected. */
export interface CollectingClient {
  messages: StreamMessage[];
  /** SSE `id:` of each message (undefined for WebSocket). */
  ids: (string | undefined)[];
  close(): void;
}

/** A WebSocket client that keeps every message. */
export function collectWs(url: string, key: string): Promise<CollectingClient> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
  const c: CollectingClient = { messages: [], ids: [], close: () => ws.terminate() };
  ws.on('message', (data: Buffer) => {
    c.messages.push(JSON.parse(data.toString('utf8')) as StreamMessage);
    c.ids.push(undefined);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(c));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/**
 * An SSE client on `fetch` that parses `text/event-stream` by the WHATWG rules this relay
 * uses (one `data:` line per event, optional `id:` and `event:`, comments skipped).
 */
export async function collectSse(
  url: string,
  key: string,
  headers: Record<string, string> = {},
): Promise<CollectingClient & { status: number }> {
  const ac = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${key}`, ...headers },
    signal: ac.signal,
  });
  const c = {
    messages: [] as StreamMessage[],
    ids: [] as (string | undefined)[],
    close: () => ac.abort(),
    status: res.status,
  };
  if (!res.ok || !res.body) return c;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | undefined;
          let data: string | undefined;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data = line.slice(6);
          }
          if (data === undefined) continue;
          c.messages.push(JSON.parse(data) as StreamMessage);
          c.ids.push(id);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return c;
}
