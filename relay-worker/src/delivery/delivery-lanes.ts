import type { ClaimedDelivery } from './claim-due-deliveries.js';

/**
 * One call's deliveries to one subscription: sent one at a time, in event-log order. A lane
 * exists only while one of its rows is queued or being sent; `rows` are the ones behind it.
 */
interface Lane {
  /** Rows waiting behind the one queued or being sent, in sequence order (none: no array). */
  rows: ClaimedDelivery[] | undefined;
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
  /**
   * By subscription, then order key: no key string built per row. Most lanes hold one row at a
   * time (a call's events are seconds apart), so a lane costs a small object and a map entry;
   * with per-call ordering the default, this is on every delivery's path, and what it
   * allocates shows in the collector's pauses and so in the p99 (bench/output, 2026-12-05).
   */
  private readonly bySubscription = new Map<string, Map<string, Lane>>();
  private count = 0;

  constructor(private readonly start: (d: ClaimedDelivery, continuation: boolean) => void) {}

  get size(): number {
    return this.count;
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
    const key = d.orderKey!;
    let lanes = this.bySubscription.get(d.subscriptionId);
    const lane = lanes?.get(key);
    if (!lane) {
      if (joined) return false;
      if (!lanes) this.bySubscription.set(d.subscriptionId, (lanes = new Map<string, Lane>()));
      lanes.set(key, { rows: undefined, last: d.eventSequence });
      this.count++;
      this.start(d, false);
      return true;
    }
    if (joined && d.prevSequence !== lane.last) return false;
    if (compareSeq(d.eventSequence, lane.last) > 0) lane.last = d.eventSequence;
    if (!lane.rows) lane.rows = [d];
    else {
      lane.rows.push(d);
      lane.rows.sort(seqOrder);
    }
    return true;
  }

  /**
   * After `d`'s attempt: `proceed` (delivered or failed for good) starts the next row; otherwise
   * the lane ends and its waiting rows are returned, to be handed back.
   */
  settle(d: ClaimedDelivery, proceed: boolean): ClaimedDelivery[] {
    const key = d.orderKey!;
    const lane = this.bySubscription.get(d.subscriptionId)?.get(key);
    if (!lane) return [];
    if (proceed) {
      this.next(d.subscriptionId, key, lane, true);
      return [];
    }
    this.remove(d.subscriptionId, key);
    return lane.rows ?? [];
  }

  private next(subscriptionId: string, key: string, lane: Lane, continuation: boolean): void {
    const d = lane.rows?.shift();
    if (!d) {
      this.remove(subscriptionId, key);
      return;
    }
    if (lane.rows!.length === 0) lane.rows = undefined;
    this.start(d, continuation);
  }

  private remove(subscriptionId: string, key: string): void {
    // The subscription's map stays when empty: one per subscription, not one per lane.
    if (this.bySubscription.get(subscriptionId)?.delete(key)) this.count--;
  }
}
