import type { CdrRow } from './cdr-row.js';

/**
 * The rows of pending flows as the poller last read them. 3CX's Data Connector with
 * `PurgeAfterSync`, a purge or the retention settings can delete rows between the poll that
 * first read a flow and the one that completes it ([OFFICIAL] field review §1.6): the flow is
 * summarized from what was read, not lost. In memory only (a restarted worker re-reads what is
 * left); entries go when their flow is summarized.
 */
export class FlowRowCache {
  private readonly flows = new Map<string, Map<string, CdrRow>>();

  /** Remembers rows (a later read of the same row replaces it). */
  remember(rows: CdrRow[]): void {
    for (const r of rows) {
      let flow = this.flows.get(r.call_history_id);
      if (!flow) this.flows.set(r.call_history_id, (flow = new Map<string, CdrRow>()));
      flow.set(r.cdr_id, r);
    }
  }

  /** Every row of the flow read so far. */
  rowsOf(callHistoryId: string): CdrRow[] {
    return [...(this.flows.get(callHistoryId)?.values() ?? [])];
  }

  forget(callHistoryId: string): void {
    this.flows.delete(callHistoryId);
  }

  /** Flows held. */
  get size(): number {
    return this.flows.size;
  }
}
