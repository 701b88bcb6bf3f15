/** Timers fired by hand, for code that takes an injected `Timers` (common/node/timers.ts). */
import type { Clock, TimerHandle, Timers } from '../../common/node/timers.js';

type ManualTimer = TimerHandle & { due: number; callback: () => void; unrefd: boolean };

/** Timers fired by hand: `advance` moves a fake clock and runs what fell due, in order. */
export class ManualTimers implements Timers {
  now = 0;
  private pending: ManualTimer[] = [];

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = {
      due: this.now + ms,
      callback,
      unrefd: false,
      unref: () => (timer.unrefd = true),
    };
    this.pending.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((t) => t !== handle);
  }

  /** These timers with their fake clock, for code that takes a `Clock`. */
  clock(): Clock {
    return {
      setTimeout: (callback, ms) => this.setTimeout(callback, ms),
      clearTimeout: (handle) => this.clearTimeout(handle),
      now: () => this.now,
    };
  }

  /** Timers still to fire, as [due, unref'd]. */
  get armed(): Array<[number, boolean]> {
    return this.pending.map((t) => [t.due, t.unrefd]);
  }

  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      const next = this.pending.filter((t) => t.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.pending = this.pending.filter((t) => t !== next);
      this.now = next.due;
      next.callback();
      await settle();
    }
    this.now = target;
  }
}

/** Lets already-resolved promise chains run to the end (a macrotask turn; no clock involved). */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
