// A CRM integration in plain JavaScript, run from a project that installed the packed
// @3cx-relay/client tarball: subscribes a webhook receiver (REST Hooks), verifies a signed
// test delivery, reads the snapshot-then-stream feed, unsubscribes. One JSON line per step.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { MemoryReplayCache, RelayClient, RelayEventStream, verifyWebhook } from '@3cx-relay/client';

const [baseUrl, apiKey] = process.argv.slice(2);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const relay = new RelayClient({ baseUrl, apiKey });
const replayCache = new MemoryReplayCache();
let secret;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const event = await verifyWebhook(Buffer.concat(chunks), req.headers, {
        secrets: [secret],
        replayCache,
      });
      say({ webhook: event.type, id: event.id, caller: event.data.caller.number });
      res.writeHead(204).end();
    } catch (err) {
      say({ refused: err.code ?? String(err) });
      res.writeHead(400).end();
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const hook = await relay.webhooks.subscribe(`http://127.0.0.1:${server.address().port}/hook`, {
  name: 'packed consumer',
  eventTypes: ['call.*'],
  allowedCidrs: ['127.0.0.0/8'],
});
secret = hook.secret;
say({ subscribed: hook.id });
const sent = await relay.webhooks.test(hook.id, 'call.ringing');
say({ tested: sent.result.statusCode });
const health = await relay.webhooks.health(hook.id);
say({ health: [Object.keys(health.windows), health.hourly.length, health.daily.length] });

const stream = new RelayEventStream({ baseUrl, apiKey, snapshot: true });
for await (const item of stream) {
  if (item.kind === 'snapshot')
    say({ snapshot: item.snapshot.sequence, calls: item.snapshot.activeCalls.length });
  else if (item.kind === 'event') {
    say({ event: item.event.type, sequence: item.event.sequence });
    break;
  }
}
await stream.close();
say({ unsubscribed: await relay.webhooks.unsubscribe(hook.id) });
server.close();
