import {
  eventId,
  type AgentChange,
  type AgentState,
  type EventData,
  type NewEvent,
  type Presence,
} from '@3cx-relay/events';
import type { XapiUser } from './xapi-agents.js';

/** An agent's state without `since` (what a poll reads). */
export type AgentReading = Omit<AgentState, 'since'>;

const PRESENCE_BY_NAME: Record<string, Presence> = {
  available: 'available',
  away: 'away',
  'out of office': 'out_of_office',
  'do not disturb': 'out_of_office',
  'custom 1': 'custom1',
  'custom 2': 'custom2',
};

/** The presence of a `CurrentProfileName` (case and spaces do not matter); `unknown` otherwise. */
export function presenceOf(profileName: string | null): Presence {
  return PRESENCE_BY_NAME[(profileName ?? '').trim().replace(/\s+/g, ' ').toLowerCase()] ?? 'unknown';
}

/** Queue numbers per agent extension, from the queues and their agents. */
export function membership(queues: { number: string; agents: string[] }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const q of queues) for (const a of q.agents) out.set(a, [...(out.get(a) ?? []), q.number]);
  for (const list of out.values()) list.sort();
  return out;
}

/**
 * One user as the relay reports it. DND is a profile named in `dndProfiles` (lower case;
 * default `out of office`, which the V20 clients call "Do Not Disturb").
 */
export function readingOf(
  u: XapiUser,
  queues: Map<string, string[]>,
  dndProfiles: Set<string>,
): AgentReading {
  const full = [u.FirstName, u.LastName].filter(Boolean).join(' ').trim();
  const profileName = u.CurrentProfileName ?? null;
  return {
    extension: u.Number!,
    name: full || u.DisplayName || null,
    profileName,
    presence: presenceOf(profileName),
    dnd: dndProfiles.has((profileName ?? '').trim().toLowerCase()),
    queueStatus: u.QueueStatus === 'LoggedIn' ? 'logged_in' : 'logged_out',
    registered: u.IsRegistered === true,
    queues: queues.get(u.Number!) ?? [],
  };
}

/** What changed from `before` to `now` (the fields `agent.status_changed` names). */
export function changesOf(before: AgentReading, now: AgentReading): AgentChange[] {
  const out: AgentChange[] = [];
  if (before.profileName !== now.profileName) out.push('profile');
  if (before.dnd !== now.dnd) out.push('dnd');
  if (before.queueStatus !== now.queueStatus) out.push('queueStatus');
  if (before.registered !== now.registered) out.push('registered');
  if (before.queues.join(',') !== now.queues.join(',')) out.push('queues');
  return out;
}

/** The `agent.status_changed` event of a change seen at `at`. */
export function agentChangedEvent(
  previous: AgentState | null,
  now: AgentReading,
  changed: AgentChange[],
  at: Date,
): NewEvent {
  const iso = at.toISOString();
  const { extension: _ext, ...before } = previous ?? { extension: '' };
  const data: EventData<'agent.status_changed'> = {
    ...now,
    since: iso,
    changed,
    previous: previous ? (before as EventData<'agent.status_changed'>['previous']) : null,
    at: iso,
  };
  const key = `${at.getTime()}|${changed.join(',')}|${now.profileName}|${now.queueStatus}|${now.registered}`;
  return {
    id: eventId('agent.status_changed', now.extension, key),
    type: 'agent.status_changed',
    occurredAt: at,
    extensions: [now.extension],
    dids: [],
    // Both old and new queues: a queue's watchers also hear of an agent leaving it.
    queues: [...new Set([...(previous?.queues ?? []), ...now.queues])].sort(),
    data,
  };
}
