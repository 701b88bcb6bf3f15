/**
 * The engine process's restart policy: 1 s, 2 s, 4 s …
 * at most 30 s between crashes in a row; a run that lasted 60 s starts the sequence over.
 */

export interface SupervisorBackoff {
  /** The first restart delay (default 1 s); each crash in a row doubles it. */
  firstMs: number;
  /** The longest delay (default 30 s). */
  capMs: number;
  /** A run this long counts as healthy and resets the delay (default 60 s). */
  healthyMs: number;
  /** How long stop() waits for the engine to exit by itself (default 5 s). */
  stopTimeoutMs: number;
}

export const DEFAULT_SUPERVISOR_BACKOFF: SupervisorBackoff = {
  firstMs: 1_000,
  capMs: 30_000,
  healthyMs: 60_000,
  stopTimeoutMs: 5_000,
};
export const MAX_CRASHES = 20;

/** The wait before the next start, after `failuresInARow` crashes (0 for the first). */
export function restartDelay(failuresInARow: number, backoff: SupervisorBackoff): number {
  return Math.min(backoff.capMs, backoff.firstMs * 2 ** Math.max(0, failuresInARow));
}
