import type { NewEvent } from '@3cx-relay/events';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
import type { EventStore } from './event-store.js';

/**
 * Appends events that exist nowhere else (derived from live state that has already moved on).
 * When the relay's own database refuses them, they are held, the newest `max` kept, and stored
 * first on the next {@link append}. Their ids are deterministic, so appending them again after
 * a commit whose reply was lost inserts nothing twice.
 */
export class HoldingAppender {
  private held: NewEvent[] = [];

  constructor(
    private readonly store: Pick<EventStore, 'append'>,
    private readonly log: Logger,
    /** What the events are, for log lines ("call events"). */
    private readonly what: string,
    private readonly max: number,
  ) {}

  /** Events waiting for the database. */
  get holding(): number {
    return this.held.length;
  }

  /** Stores the held events, then `events`; true when all are stored. Never throws. */
  async append(events: NewEvent[]): Promise<boolean> {
    const batch = this.held.length ? [...this.held, ...events] : events;
    if (!batch.length) return true;
    try {
      await this.store.append(batch);
      if (this.held.length)
        this.log.info({ events: this.held.length }, `stored ${this.what} held during an own-database outage`);
      this.held = [];
      return true;
    } catch (err) {
      if (!this.held.length)
        this.log.warn(
          { err: coerceError(err) },
          `could not store ${this.what}; holding them until the own database is back`,
        );
      if (batch.length > this.max)
        this.log.warn({ dropped: batch.length - this.max }, `dropped the oldest held ${this.what}`);
      this.held = batch.slice(-this.max);
      return false;
    }
  }
}
