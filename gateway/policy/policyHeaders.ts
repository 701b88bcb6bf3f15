/**
 * OpenAI's rate-limit headers (`x-ratelimit-{limit,remaining,reset}-{requests,tokens}`) for
 * the tightest scope in force, and `x-byoi-quota-warning` once a quota is 80 % used.
 */
import type { ScopeClaim, ScopeFigures } from '../store/policyTypes.js';

/** Rate windows are UTC minutes. */
export const RATE_WINDOW_MS = 60_000;
/** A quota this full (percent, spent plus reserved) is warned of in a response header. */
export const QUOTA_WARNING_PERCENT = 80;

/** ms until the current window ends. */
export const windowLeftMs = (now: number): number => RATE_WINDOW_MS - (now % RATE_WINDOW_MS);

/** Whole seconds until the window ends, at least 1 (for `Retry-After`). */
export const retryAfterSeconds = (now: number): number =>
  Math.max(1, Math.ceil(windowLeftMs(now) / 1000));

/** A duration as OpenAI writes it: `20ms`, `1.5s`, `1m2s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Math.round(seconds - minutes * 60)}s`;
}

/** The headers of the scope with the least left, for requests and for tokens. */
export function rateHeaders(
  claims: readonly ScopeClaim[],
  figures: readonly ScopeFigures[],
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const reset = formatDuration(windowLeftMs(now));
  for (const [kind, limitOf, usedOf] of [
    ['requests', (c: ScopeClaim) => c.rpm, (f: ScopeFigures) => f.requests],
    ['tokens', (c: ScopeClaim) => c.tpm, (f: ScopeFigures) => f.tokens],
  ] as const) {
    let tightest: { limit: number; remaining: number } | null = null;
    for (const claim of claims) {
      const limit = limitOf(claim);
      const figure = figures.find((f) => f.scope === claim.scope);
      if (limit === null || !figure) continue;
      const remaining = Math.max(0, limit - usedOf(figure));
      if (!tightest || remaining < tightest.remaining) tightest = { limit, remaining };
    }
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${kind}`] = reset;
  }
  return headers;
}

/** `x-byoi-quota-warning` for every scope whose quota is at least 80 % used (spent and reserved). */
export function quotaWarnings(
  claims: readonly ScopeClaim[],
  figures: readonly ScopeFigures[],
): Record<string, string> {
  const warnings: string[] = [];
  for (const claim of claims) {
    const figure = figures.find((f) => f.scope === claim.scope);
    if (!figure) continue;
    for (const [what, limit, used] of [
      ['USD', claim.monthlyNanos, figure.spentNanos + figure.reservedNanos],
      ['token', claim.monthlyTokens, figure.spentTokens + figure.reservedTokens],
    ] as const) {
      if (!limit) continue;
      const percent = Math.floor((used * 100) / limit);
      if (percent >= QUOTA_WARNING_PERCENT)
        warnings.push(
          `${claim.scope}: ${Math.min(percent, 100)}% of the monthly ${what} quota used`,
        );
    }
  }
  return warnings.length > 0 ? { 'x-byoi-quota-warning': warnings.join('; ') } : {};
}
