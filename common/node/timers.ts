/**
 * setTimeout/clearTimeout (and a clock) behind an interface, so that tests fire timers by
 * hand (the tests' `ManualTimers`) instead of waiting: the engine's schedule, the shell's
 * supervisor, the gateway's key rests, health checks, queues and link deadlines.
 */

/** A started timer; callers decide whether it may keep the process alive. */
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

/** Timers and the monotonic clock (ms) they run on, for code that also measures time. */
export interface Clock extends Timers {
  now(): number;
}

/** Node's own timers, and `performance.now()`. */
export const realClock: Clock = { ...realTimers, now: () => performance.now() };

/** Starts a timer that does not keep the process alive. */
export function unrefTimeout(timers: Timers, callback: () => void, ms: number): TimerHandle {
  const handle = timers.setTimeout(callback, ms);
  handle.unref();
  return handle;
}
