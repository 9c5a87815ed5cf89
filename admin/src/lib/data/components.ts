import type { Tone } from '@/components/ui';

/** The upstream components the worker watches, in display order. */
export const COMPONENTS = [
  { id: 'db3cx', label: '3CX database' },
  { id: 'xapi', label: 'XAPI' },
  { id: 'callcontrol', label: 'Call Control WS' },
] as const;

/** A component id accepted by the reconnect route. */
export type ComponentId = (typeof COMPONENTS)[number]['id'];

/** Colour of a connection state: up green, degraded/connecting yellow, down red. */
export function stateTone(state: string | undefined): Tone {
  switch (state) {
    case 'up':
      return 'green';
    case 'degraded':
    case 'connecting':
      return 'yellow';
    case 'down':
      return 'red';
    default:
      return 'gray';
  }
}
