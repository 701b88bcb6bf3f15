/**
 * Full-jitter backoff (AWS's): a random wait in [0, min(cap, base × 2^attempt)), for trying
 * the same route again. `attempt` counts from 0; `random` returns [0, 1).
 */
export function fullJitter(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * Math.max(0, ceiling));
}
