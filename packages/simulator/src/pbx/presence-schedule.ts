import type { Rng } from '../util/rng.js';
import { PROFILE_NAMES, type UserStore } from './users.js';

/**
 * Presence that changes over time, as people come and go: every `everySimSec` simulated
 * seconds one seeded-random user changes one thing. Profiles return to `Available` more often
 * than they leave it, queue login flips, and now and then a phone unregisters and comes back,
 * so over a long run most users are available and logged in, like an office during the day.
 */
export class PresenceSchedule {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly rng: Rng,
    private readonly everySimSec: number,
    private readonly timeScale: number,
  ) {}

  start(): void {
    if (this.everySimSec <= 0) return;
    const ms = Math.max(10, this.everySimSec * 1000 * this.timeScale);
    this.timer = setInterval(() => this.step(), ms);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One change (also used by tests). */
  step(): void {
    const user = this.rng.pick(this.users.list());
    const roll = this.rng.next();
    if (roll < 0.55) {
      const away = user.profile !== 'Available';
      this.users.set(user.number, {
        profile: away ? 'Available' : this.rng.pick(PROFILE_NAMES.filter((p) => p !== 'Available')),
      });
    } else if (roll < 0.9) {
      this.users.set(user.number, {
        queueStatus: user.queueStatus === 'LoggedIn' ? 'LoggedOut' : 'LoggedIn',
      });
    } else {
      this.users.set(user.number, { registered: !user.registered });
    }
  }
}
