import type { CallEventRow } from '@/lib/data/call-events';
import { describeCallEvent } from '@/lib/data/describe-call-event';
import { Badge, Empty } from './ui';

/** `HH:MM:SS` in UTC (stable across server and browser); the full time is in the title. */
function clock(d: Date): string {
  return d.toISOString().slice(11, 19);
}

/**
 * The newest call events as a compact list: time, type badge, caller → callee, the
 * extension/queue/DID/department involved and, for finished calls, the disposition (answered,
 * voicemail, busy, abandoned, missed, rejected), durations, handler, transfers. Text only:
 * every value from the event goes through React's escaping.
 */
export function CallActivity({ events }: { events: CallEventRow[] }) {
  if (events.length === 0) return <Empty>No call events yet.</Empty>;
  return (
    <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="call-activity">
      {events.map((e) => {
        const v = describeCallEvent(e);
        return (
          <li
            key={e.sequence}
            className="flex flex-wrap items-center gap-x-2 gap-y-0.5 py-1.5 text-sm"
            data-testid={`call-event-${e.sequence}`}
            data-type={e.type}
            data-sequence={e.sequence}
            data-call-id={e.callId ?? undefined}
          >
            <time
              dateTime={e.occurredAt.toISOString()}
              title={e.occurredAt.toISOString()}
              className="text-xs tabular-nums text-slate-500 dark:text-slate-400"
            >
              {clock(e.occurredAt)}
            </time>
            <Badge tone={v.tone}>{v.label}</Badge>
            {v.disposition && (
              <span data-testid="call-disposition">
                <Badge tone={v.dispositionTone}>{v.disposition}</Badge>
              </span>
            )}
            <span className="min-w-0 break-words">
              {v.from ?? '—'} <span aria-label="to">→</span> {v.to ?? '—'}
            </span>
            {v.context && (
              <span className="min-w-0 break-words text-xs text-slate-500 dark:text-slate-400">
                {v.context}
              </span>
            )}
            {v.outcome && (
              <span className="w-full break-words text-xs text-slate-600 dark:text-slate-300">
                {v.outcome}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
