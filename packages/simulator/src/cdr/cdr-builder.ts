import type { CdrIdGenerator } from './cdr-id.js';
import { sideColumns, type CdrParty, type CdrRow } from './cdr-row.js';

/** Options of one new CDR (one segment of a call flow). */
export interface OpenCdrOptions {
  /** `creation_method`: call_init, route_to, divert, transfer, ... */
  method: string;
  /** `creation_forward_reason`: none, polling, by_did, user_requested, ... */
  forwardReason: string;
  /** The CDR this one modifies (`base_cdr_id`). */
  base?: CdrRow | null;
  /** The CDR that started this routing branch, e.g. the queue CDR of an agent poll. */
  originating?: CdrRow | null;
  /** Source party, when it is not the call's caller. */
  source?: CdrParty;
  /** `termination_reason_details` of the row this hop continues (e.g. `by_did`, `busy`, `forward_all`). */
  endPrevDetails?: string | null;
  /** `termination_reason` of the row this hop continues; default `continued_in` (`redirected`: a queue overflow). */
  endPrevReason?: string;
}

/**
 * Collects the cdroutput rows of one call flow the way 3CX links them ([OFFICIAL S7]):
 * all share `call_history_id`; a hop ends a row with `continued_in` and points at the next;
 * queue polls are children with `originating_cdr_id`.
 */
export class CdrBuilder {
  readonly rows: CdrRow[] = [];
  readonly callHistoryId: string;
  /** The row that currently carries the caller (the last one opened on the main path). */
  current: CdrRow | null = null;

  constructor(
    private readonly ids: CdrIdGenerator,
    private readonly caller: CdrParty,
    /** `source_presentation`: the display name shown to the destination ([OFFICIAL] guide, field review §1.10). */
    private readonly presentation: string | null,
  ) {
    this.callHistoryId = ids.next();
  }

  /** A new participant id in the same UUID format as CDR ids. */
  participantId(): string {
    return this.ids.next();
  }

  /** Opens a row from the caller (or `opts.source`) to `destination`. */
  open(destination: CdrParty, opts: OpenCdrOptions): CdrRow {
    const row = {
      cdr_id: this.ids.next(),
      call_history_id: this.callHistoryId,
      ...sideColumns('source', opts.source ?? this.caller),
      ...sideColumns('destination', destination),
      base_cdr_id: opts.base?.cdr_id ?? null,
      originating_cdr_id: opts.originating?.cdr_id ?? null,
      creation_method: opts.method,
      creation_forward_reason: opts.forwardReason,
      termination_reason: null,
      terminated_by_participant_id: null,
      continued_in_cdr_id: null,
      cdr_started_at: new Date(),
      cdr_ended_at: null,
      cdr_answered_at: null,
      termination_reason_details: null,
      processed: false,
      migrated: false,
      main_call_history_id: this.callHistoryId,
      source_presentation: this.presentation,
      offload_id: null,
    } as CdrRow;
    this.rows.push(row);
    return row;
  }

  /** Opens a row on the main path: the current row continues in it. */
  hop(destination: CdrParty, opts: Omit<OpenCdrOptions, 'base'>): CdrRow {
    const prev = this.current;
    const row = this.open(destination, { ...opts, base: prev });
    if (prev && !prev.cdr_ended_at)
      this.end(prev, opts.endPrevReason ?? 'continued_in', opts.endPrevDetails ?? null, null, row);
    this.current = row;
    return row;
  }

  answer(row: CdrRow): void {
    row.cdr_answered_at ??= new Date();
  }

  /** Ends a row (idempotent: the first end wins). */
  end(
    row: CdrRow,
    reason: string,
    details: string | null,
    terminatedBy: string | null,
    continuedIn?: CdrRow,
  ): void {
    if (row.cdr_ended_at) return;
    row.cdr_ended_at = new Date();
    row.termination_reason = reason;
    row.termination_reason_details = details;
    row.terminated_by_participant_id = terminatedBy;
    row.continued_in_cdr_id = continuedIn?.cdr_id ?? null;
  }

  /** Ends every still-open row (call torn down). */
  endAll(reason: string, details: string | null, terminatedBy: string | null): void {
    for (const row of this.rows) this.end(row, reason, details, terminatedBy);
  }

  get callerParty(): CdrParty {
    return this.caller;
  }
}
