/**
 * The timer functions the scheduler and its signal sources use, behind an interface so that
 * tests fire them by hand instead of waiting.
 */

/** What a started timer must offer: the engine never lets a schedule timer keep it alive. */
export interface TimerHandle {
  unref(): unknown;
}

/** `setTimeout`/`clearTimeout`, injectable. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node's own timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Starts a timer that does not keep the process alive. */
export function unrefTimeout(timers: Timers, callback: () => void, ms: number): TimerHandle {
  const handle = timers.setTimeout(callback, ms);
  handle.unref();
  return handle;
}
