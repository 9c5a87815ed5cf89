// Type-checked in the temporary project against the installed declarations only.
import {
  RelayClient,
  RelayEventStream,
  type CallRingingEvent,
  type EventData,
  type Snapshot,
} from '@3cx-relay/client';

const relay = new RelayClient({ baseUrl: 'http://127.0.0.1:8082', apiKey: 'rk_000000000000.secret' });
export async function screenPop(): Promise<string | null> {
  const hook = await relay.webhooks.subscribe('https://crm.example.com/hooks/relay', {
    eventTypes: ['call.ringing'],
  });
  const ringing: EventData<'call.ringing'> | undefined = undefined;
  const stream = new RelayEventStream({ baseUrl: 'http://127.0.0.1:8082', apiKey: hook.id, snapshot: true });
  for await (const item of stream) {
    if (item.kind === 'snapshot') {
      const s: Snapshot = item.snapshot;
      return s.activeCalls[0]?.caller?.number ?? null;
    }
    if (item.kind === 'event' && item.event.type === 'call.ringing') {
      const e: CallRingingEvent = item.event;
      return e.data.caller.number ?? ringing ?? null;
    }
  }
  return null;
}

// @ts-expect-error: a typed event type, not `any`
export const wrongType: CallRingingEvent['type'] = 'call.ended';
// @ts-expect-error: the client's options are typed
export const wrongOptions = new RelayClient({ baseUrl: 1 });
