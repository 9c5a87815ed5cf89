import type { ClaimedDelivery } from './claim-due-deliveries.js';

/** One call's deliveries to one subscription: sent one at a time, in event-log order. */
interface Lane {
  rows: ClaimedDelivery[];
  /** A row of the lane is queued or being sent. */
  busy: boolean;
  /** The highest event sequence added to this lane. */
  last: string;
}

/** Orders event sequences as numbers (decimal text without leading zeros). */
const compareSeq = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const seqOrder = (a: ClaimedDelivery, b: ClaimedDelivery) => compareSeq(a.eventSequence, b.eventSequence);

/**
 * The lanes this worker holds, by subscription and order key. A lane exists while it has a row
 * queued, in flight or waiting; the database holds every one of its pending rows leased to this
 * worker, so no other worker sends any of them meanwhile.
 *
 * - `add`: a row claimed with its lane, or inserted by this worker's own append, joins the lane
 *   in sequence order; a fresh lane starts at once. A row the outbox leased because its lane
 *   was held here (`joined`) but whose lane has ended since (its head failed and was handed
 *   back, or it finished) is refused: it may not go before a retry the lane is waiting for.
 * - `settle`: after an attempt: a delivered (or finally failed) row lets the next one start; a
 *   row waiting for a retry ends the lane and hands its other rows back.
 */
export class DeliveryLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly start: (d: ClaimedDelivery, continuation: boolean) => void) {}

  get size(): number {
    return this.lanes.size;
  }

  /**
   * Adds a row; false when it must be handed back instead: a `joined` row whose lane is gone,
   * or whose previous event (`prevSequence`) is not the last one this lane took. The second
   * case: rows reach the dispatcher in the order their appends and claims are answered, which
   * is not always commit order, so a joined row can be refused (its lane not created yet) and
   * handed back, and a later row of the call then find the lane created meanwhile. It must not
   * go before the handed-back one.
   */
  add(d: ClaimedDelivery, joined: boolean): boolean {
    const key = `${d.subscriptionId}|${d.orderKey}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      if (joined) return false;
      this.lanes.set(key, (lane = { rows: [], busy: false, last: d.eventSequence }));
    } else if (joined && d.prevSequence !== lane.last) return false;
    if (compareSeq(d.eventSequence, lane.last) > 0) lane.last = d.eventSequence;
    lane.rows.push(d);
    if (lane.rows.length > 1) lane.rows.sort(seqOrder);
    if (!lane.busy) this.next(key, lane, false);
    return true;
  }

  /**
   * After `d`'s attempt: `proceed` (delivered or failed for good) starts the next row; otherwise
   * the lane ends and its waiting rows are returned, to be handed back.
   */
  settle(d: ClaimedDelivery, proceed: boolean): ClaimedDelivery[] {
    const key = `${d.subscriptionId}|${d.orderKey}`;
    const lane = this.lanes.get(key);
    if (!lane) return [];
    if (proceed) {
      this.next(key, lane, true);
      return [];
    }
    this.lanes.delete(key);
    return lane.rows;
  }

  private next(key: string, lane: Lane, continuation: boolean): void {
    const d = lane.rows.shift();
    if (!d) {
      lane.busy = false;
      this.lanes.delete(key);
      return;
    }
    lane.busy = true;
    this.start(d, continuation);
  }
}
