/**
 * setTimeout/clearTimeout behind an interface, so that tests fire the upstream's timers (key
 * rests, health checks) by hand. The shape matches the engine's `Timers`, so the tests'
 * `ManualTimers` fits both.
 */

/** A started timer; upstream timers never keep the process alive. */
export interface TimerHandle {
  unref(): unknown;
}

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
