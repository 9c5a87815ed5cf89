import pg from 'pg';

/**
 * The `dbStall` fault: one session holds `ACCESS EXCLUSIVE` on `cdroutput` inside an open
 * transaction, so every query on it (readers and the simulator's own CDR writer) waits, as
 * behind a stuck maintenance job or on an overloaded server. Ending it rolls the transaction
 * back and everything waiting proceeds.
 */
export class TableStall {
  private client: pg.Client | undefined;

  constructor(private readonly url: string) {}

  get active(): boolean {
    return this.client !== undefined;
  }

  async set(on: boolean): Promise<void> {
    if (on && !this.client) {
      const c = new pg.Client({ connectionString: this.url, application_name: '3cx-sim-stall' });
      c.on('error', () => undefined); // terminated by a dbDown: nothing to do
      await c.connect();
      await c.query('BEGIN');
      await c.query('LOCK TABLE cdroutput IN ACCESS EXCLUSIVE MODE');
      this.client = c;
    } else if (!on && this.client) {
      const c = this.client;
      this.client = undefined;
      await c.query('ROLLBACK').catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  }
}
