'use client';

import { useEffect, useRef, useState } from 'react';
import type { Wallboard, WallboardAgent } from '@/lib/data/wallboard';
import { Badge, Button, Card, Empty, type Tone } from '@/components/ui';
import { clock, useServerNow } from './server-clock';

const CALL_STATE: Record<string, { label: string; tone: Tone }> = {
  talking: { label: 'Talking', tone: 'green' },
  ringing: { label: 'Ringing', tone: 'yellow' },
  dialing: { label: 'Dialing', tone: 'blue' },
  routing: { label: 'In IVR / queue', tone: 'gray' },
};

/** An agent's line on the wallboard: DND first, then presence, then queue login. */
function agentStatus(a: WallboardAgent, busy: Map<string, string>): { label: string; tone: Tone } {
  if (!a.registered) return { label: 'Offline', tone: 'gray' };
  if (a.dnd) return { label: 'Do not disturb', tone: 'red' };
  const call = busy.get(a.extension);
  if (call) return { label: call === 'Connected' ? 'On a call' : 'Ringing', tone: 'blue' };
  if (a.presence !== 'available') return { label: a.profileName ?? a.presence, tone: 'yellow' };
  if (a.queueStatus !== 'logged_in') return { label: 'Available, not in queues', tone: 'gray' };
  return { label: 'Available', tone: 'green' };
}

/**
 * The live wallboard: each queue's waiting callers and longest wait, the calls in progress with
 * their state and running duration, and every agent's state. Durations tick every second on
 * the server's clock; the page refreshes its data on the worker's `wallboard` notifications.
 * "Full screen" hides the browser chrome and enlarges the figures for a wall screen.
 */
export function WallboardView({ data }: { data: Wallboard }) {
  const now = useServerNow(data.serverNow);
  const ref = useRef<HTMLDivElement>(null);
  const [tv, setTv] = useState(false);
  useEffect(() => {
    const off = () => setTv(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', off);
    return () => document.removeEventListener('fullscreenchange', off);
  }, []);
  const busy = new Map<string, string>();
  for (const c of data.calls)
    for (const p of c.participants) if (busy.get(p.dn) !== 'Connected') busy.set(p.dn, p.status);

  return (
    <div
      ref={ref}
      data-testid="wallboard"
      className={`space-y-4 ${tv ? 'overflow-auto bg-slate-50 p-6 text-lg dark:bg-slate-950' : ''}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        {data.stale ? (
          <Badge tone="red">
            <span data-testid="wallboard-stale">The relay worker is not publishing: figures may be old</span>
          </Badge>
        ) : (
          <span className="text-xs text-slate-500 dark:text-slate-400">
            {data.calls.length} calls · {data.agents.length} agents · {data.queues.length} queues
          </span>
        )}
        <Button
          variant="secondary"
          onClick={() => void (tv ? document.exitFullscreen() : ref.current?.requestFullscreen())}
        >
          {tv ? 'Exit full screen' : 'Full screen'}
        </Button>
      </div>
      <QueueTiles data={data} now={now} tv={tv} />
      <div className="grid gap-4 xl:grid-cols-3">
        <Card title="Calls in progress" className="xl:col-span-2">
          <CallList data={data} now={now} />
        </Card>
        <Card title="Agents">
          {data.agents.length === 0 ? (
            <Empty>No agent state yet (needs the XAPI source).</Empty>
          ) : (
            <ul
              className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-1"
              data-testid="wallboard-agents"
            >
              {data.agents.map((a) => {
                const s = agentStatus(a, busy);
                return (
                  <li
                    key={a.extension}
                    data-testid={`agent-${a.extension}`}
                    data-status={s.label}
                    className="flex items-center justify-between gap-2 rounded-lg border border-slate-200 px-3 py-2 dark:border-slate-800"
                  >
                    <span className="min-w-0 truncate">
                      <span className="font-mono">{a.extension}</span> {a.name}
                    </span>
                    <Badge tone={s.tone}>{s.label}</Badge>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}

function QueueTiles({ data, now, tv }: { data: Wallboard; now: number; tv: boolean }) {
  if (data.queues.length === 0) return null;
  const big = tv ? 'text-6xl' : 'text-4xl';
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3">
      {data.queues.map((q) => {
        const wait = q.longestWaitingSince ? clock(now - Date.parse(q.longestWaitingSince)) : '—';
        return (
          <Card key={q.queue} title={`${q.queue} ${q.name ?? ''}`}>
            <div data-testid={`queue-${q.queue}`} className="grid grid-cols-2 gap-3">
              <div>
                <div className="text-xs uppercase text-slate-500">Waiting</div>
                <div
                  data-testid="queue-waiting"
                  className={`${big} font-semibold ${q.waiting ? 'text-amber-600' : ''}`}
                >
                  {q.waiting}
                </div>
              </div>
              <div>
                <div className="text-xs uppercase text-slate-500">Longest wait</div>
                <div data-testid="queue-longest-wait" className={`${big} font-mono font-semibold`}>
                  {wait}
                </div>
              </div>
              <div className="col-span-2 flex flex-wrap gap-x-4 gap-y-1 text-sm" data-testid="queue-figures">
                <span>
                  Agents <b data-testid="queue-available">{q.agentsAvailable}</b> available /{' '}
                  <b>{q.agentsLoggedIn}</b> logged in / {q.agents}
                </span>
                <span>
                  Today <b data-testid="queue-answered">{q.answeredToday}</b> answered,{' '}
                  <b data-testid="queue-abandoned">{q.abandonedToday}</b> abandoned
                </span>
              </div>
            </div>
          </Card>
        );
      })}
    </div>
  );
}

function CallList({ data, now }: { data: Wallboard; now: number }) {
  if (data.calls.length === 0) return <Empty>No calls in progress.</Empty>;
  return (
    <ul className="divide-y divide-slate-200 dark:divide-slate-800" data-testid="wallboard-calls">
      {data.calls.map((c) => {
        const s = CALL_STATE[c.state] ?? { label: c.state, tone: 'gray' as const };
        const caller = c.caller?.name && c.caller.name !== c.caller.number ? c.caller.name : c.caller?.number;
        return (
          <li
            key={c.callId}
            data-testid="call-row"
            data-call-id={c.callId}
            data-state={c.state}
            className="flex flex-wrap items-center justify-between gap-2 py-2"
          >
            <span className="flex min-w-0 items-center gap-2">
              <Badge tone={s.tone}>{s.label}</Badge>
              <span className="truncate">
                {caller ?? 'unknown'} → {c.answeredBy ?? c.callee?.number ?? c.queue ?? '…'}
                {c.queue && <span className="text-slate-500"> · queue {c.queue}</span>}
              </span>
            </span>
            <span className="font-mono tabular-nums" data-testid="call-duration" title="since the call began">
              {clock(now - Date.parse(c.startedAt))}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
