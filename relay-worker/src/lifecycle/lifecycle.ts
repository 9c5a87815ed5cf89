import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';

type Closer = { name: string; close: () => Promise<void> | void };

/**
 * Ordered shutdown. Components register a closer as they start; `shutdown()` closes them in
 * reverse order (HTTP first, databases last), each bounded by a timeout so one stuck part
 * cannot hold the process. A second signal during shutdown forces exit.
 */
export class Lifecycle {
  private readonly closers: Closer[] = [];
  private shuttingDown: Promise<void> | undefined;
  readonly abort = new AbortController();

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  onClose(name: string, close: Closer['close']): void {
    this.closers.push({ name, close });
  }

  get stopping(): boolean {
    return this.shuttingDown !== undefined;
  }

  shutdown(reason: string): Promise<void> {
    this.shuttingDown ??= this.run(reason);
    return this.shuttingDown;
  }

  private async run(reason: string): Promise<void> {
    this.log.info({ reason }, 'shutting down');
    this.abort.abort();
    for (const c of [...this.closers].reverse()) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(c.close),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${this.timeoutMs} ms`)),
              this.timeoutMs,
            );
          }),
        ]);
        this.log.debug({ component: c.name, ms: Date.now() - started }, 'closed');
      } catch (err) {
        this.log.warn({ component: c.name, err: coerceError(err) }, 'close failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this.log.info('stopped');
  }

  /** SIGTERM/SIGINT: first drains, second forces exit. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.stopping) {
        this.log.warn({ signal }, 'second signal: forcing exit');
        exit(1);
        return;
      }
      void this.shutdown(signal).then(() => exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
