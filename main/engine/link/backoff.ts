/**
 * Reconnect delays: exponential backoff with full jitter, so that many nodes that lost the
 * same gateway do not all dial back at the same moment.
 */

export interface BackoffOptions {
  /** The ceiling of the first delay, in ms (default 250). */
  baseMs?: number;
  /** The largest ceiling, in ms (default 10 000). */
  capMs?: number;
  /** A uniform random number in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF_BASE_MS = 250;
export const DEFAULT_BACKOFF_CAP_MS = 10_000;

/**
 * The delay before reconnect attempt `attempt` (0 for the first):
 * `random(0, min(cap, base × 2^attempt))`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const cap = options.capMs ?? DEFAULT_BACKOFF_CAP_MS;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt));
  const fraction = Math.min(1, Math.max(0, random()));
  return Math.round(fraction * ceiling);
}

/** Counts failed attempts and hands out the next delay; `reset()` after a good connection. */
export class Backoff {
  private attempts = 0;

  constructor(private readonly options: BackoffOptions = {}) {}

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The delay before the next attempt; each call counts one more attempt. */
  next(): number {
    return backoffDelay(this.attempts++, this.options);
  }

  reset(): void {
    this.attempts = 0;
  }
}
