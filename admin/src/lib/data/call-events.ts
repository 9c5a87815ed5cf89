import type { Db } from '@3cx-relay/db';

/** Event types that describe calls (live Call Control events and CDR-derived ones). */
export const CALL_EVENT_TYPES = [
  'call.ringing',
  'call.answered',
  'call.transferred',
  'call.ended',
  'call.missed',
  'cdr.created',
  'call.completed',
] as const;

/** One row of `events` as the dashboard's activity card needs it. */
export interface CallEventRow {
  /** Position in the event log (decimal string). */
  sequence: string;
  type: string;
  occurredAt: Date;
  callId: string | null;
  extensions: string[];
  dids: string[];
  queues: string[];
  /** The event's `data` object as stored; read defensively (see `describeCallEvent`). */
  data: unknown;
}

/** The newest call events, newest first (`limit` rows, default 12). */
export async function recentCallEvents(db: Db, limit = 12): Promise<CallEventRow[]> {
  const rows = await db.event.findMany({
    where: { type: { in: [...CALL_EVENT_TYPES] } },
    orderBy: { sequence: 'desc' },
    take: limit,
    select: {
      sequence: true,
      type: true,
      occurredAt: true,
      callId: true,
      extensions: true,
      dids: true,
      queues: true,
      data: true,
    },
  });
  return rows.map((r) => ({ ...r, sequence: r.sequence.toString() }));
}

/** Call figures for the dashboard's tiles. */
export interface CallStats {
  /** Call events appended in the last 24 h. */
  callEvents24h: number;
  /** Calls the worker's Call Control source tracked at its last reconcile; null when unknown. */
  activeCalls: number | null;
  /** When the worker last wrote that figure (`component_status.updated_at`); null when unknown. */
  activeCallsAt: Date | null;
}

/**
 * Reads the call tiles' figures. `activeCalls` comes from `component_status.details` of
 * `callcontrol` (`{ activeCalls: number, lastReconcile: string }`), written by the worker
 * after each reconcile when the status changed or its history is due.
 */
export async function getCallStats(db: Db): Promise<CallStats> {
  const since = new Date(Date.now() - 24 * 3600_000);
  const [count, status] = await Promise.all([
    db.event.count({ where: { createdAt: { gte: since }, type: { in: [...CALL_EVENT_TYPES] } } }),
    db.componentStatus.findUnique({
      where: { component: 'callcontrol' },
      select: { details: true, updatedAt: true },
    }),
  ]);
  const details = status?.details;
  const active =
    details && typeof details === 'object' && !Array.isArray(details) ? details.activeCalls : undefined;
  const known = typeof active === 'number' && Number.isFinite(active);
  return {
    callEvents24h: count,
    activeCalls: known ? active : null,
    activeCallsAt: known ? (status?.updatedAt ?? null) : null,
  };
}
