/**
 * The node's standing as the dashboard shows it: what the gateway sent, with the
 * contributor milestone its lifetime tokens reached.
 */
import type { NodeStanding } from '../../../common/nodeApi.js';
import type { NodeStandingView } from '../../../common/protocol.js';

/** Lifetime-token milestones, smallest first. */
export const TOKEN_MILESTONES = [
  1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
] as const;

/** The largest milestone `tokens` reached and the next one. */
export function tokenMilestone(tokens: number): {
  milestone: number | null;
  nextMilestone: number | null;
} {
  const reached = TOKEN_MILESTONES.filter((mark) => tokens >= mark);
  return {
    milestone: reached.at(-1) ?? null,
    nextMilestone: TOKEN_MILESTONES.find((mark) => tokens < mark) ?? null,
  };
}

/** The status's `standing` from the last one the gateway sent (null before any). */
export function standingStatus(
  latest: { view: NodeStandingView; at: string } | null | undefined,
): NodeStanding | null {
  if (!latest) return null;
  return { ...latest.view, ...tokenMilestone(latest.view.tokensServed), at: latest.at };
}
