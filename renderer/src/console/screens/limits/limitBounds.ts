/**
 * The bounds the admin API checks (common/adminLimits.ts), mirrored here because the
 * renderer may import only types from common/. The gateway checks them again and has the
 * last word.
 */
export const LIMIT_BOUNDS = {
  /** MAX_RATE */
  maxRate: 1_000_000_000,
  /** MAX_QUOTA / 1e9, USD */
  maxQuotaUsd: 1_000_000,
  /** MAX_QUOTA, tokens */
  maxQuotaTokens: 1e15,
  /** MAX_CACHE_TTL_SECONDS: 30 days */
  maxCacheTtlSeconds: 30 * 24 * 60 * 60,
} as const;

/** The share of a quota from which the screen warns, percent. */
export const QUOTA_WARNING_PERCENT = 80;

/** A blank field (null), a whole number within [min, max], or 'bad'. */
export function parseWhole(text: string, min: number, max: number): number | null | 'bad' {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) return 'bad';
  return value;
}
