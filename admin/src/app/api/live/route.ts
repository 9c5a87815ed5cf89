import { handleRoute } from '@/lib/api/handle-route';
import { liveHub, type LiveEvent } from '@/lib/live/hub';

export const dynamic = 'force-dynamic';

/**
 * GET /admin/api/live: server-sent events. Each worker notification on `relay_events` becomes
 * one `data:` line with only its `kind` and a few ids (never free text); appends to the event
 * log (`relay_new_events`) become `{"kind":"calls"}`, at most once per second; plus a comment
 * every 25 s to keep proxies from closing the stream.
 */
export const GET = handleRoute('viewer', ({ req }) => {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (chunk: string) => {
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = liveHub().subscribe((e: LiveEvent) => {
        const safe = {
          kind: String(e.kind),
          component: typeof e.component === 'string' ? e.component : undefined,
        };
        send(`data: ${JSON.stringify(safe)}\n\n`);
      });
      const ping = setInterval(() => send(': ping\n\n'), 25_000);
      cleanup = () => {
        clearInterval(ping);
        unsubscribe();
      };
      req.signal.addEventListener('abort', () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      send('retry: 1000\n: connected\n\n');
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
});
