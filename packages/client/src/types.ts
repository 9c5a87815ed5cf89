import type { EventType, RelayEvent } from './generated/relay-types.js';

export type * from './generated/relay-types.js';

/** `data` of an event type. */
export type EventData<T extends EventType> = Extract<RelayEvent, { type: T }>['data'];

/** Where `GET /relay/active-calls` answered from. */
export type ActiveCallsSource = 'callcontrol' | 'xapi';

/** Where `GET /relay/call-history` answered from. */
export type CallHistorySource = 'xapi' | 'cdroutput';
