import { Badge, type Tone } from './ui';

const TONES: Record<string, Tone> = { info: 'blue', warning: 'yellow', error: 'red', critical: 'red' };

/** Severity as a coloured badge. */
export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge tone={TONES[severity] ?? 'gray'}>{severity}</Badge>;
}
