import type { Rng } from '../util/rng.js';
import { LOAD_MIX } from './registry.js';

/**
 * Starts `rate` new calls per (real) second, picking scenarios from the weighted mix with
 * the seeded RNG. Used by load mode (`--load-rate`) and demo mode (a gentle rate).
 */
export class LoadGenerator {
  private timer: NodeJS.Timeout | undefined;
  private readonly total = LOAD_MIX.reduce((s, [, w]) => s + w, 0);

  constructor(
    private readonly rng: Rng,
    private readonly start: (scenario: string) => void,
  ) {}

  /** Starts (or changes) the rate; 0 stops. */
  setRate(rate: number): void {
    this.stop();
    if (rate <= 0) return;
    const interval = 1000 / rate;
    let due = Date.now();
    const tick = () => {
      const now = Date.now();
      while (due <= now) {
        this.start(this.pick());
        due += interval;
      }
      this.timer = setTimeout(tick, Math.max(1, due - Date.now()));
    };
    tick();
  }

  private pick(): string {
    let x = this.rng.next() * this.total;
    for (const [name, w] of LOAD_MIX) {
      if ((x -= w) < 0) return name;
    }
    return LOAD_MIX[0]?.[0] ?? 'internal';
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
