/** The bounds of what the gateway stores, shared by the store, the admin API, its CLI and the console. */
/** Bounds every store enforces, shared with the admin CLI and API validation. */
export const STORE_LIMITS = {
  /** Longest name of an org, key or node. */
  nameLength: 128,
  defaultEnrollmentTtlSeconds: 24 * 60 * 60,
  maxEnrollmentTtlSeconds: 365 * 24 * 60 * 60,
  maxRateLimitPerMinute: 1_000_000,
  /** Rows `listUsage` returns without a limit, and the most it returns. */
  defaultUsageLimit: 100,
  maxUsageLimit: 10_000,
  /** Longest mission cause a node may name. */
  causeLength: 128,
  /** Longest detail kept with a node fault. */
  faultDetailLength: 256,
  /** Highest price a provider or rule may name, USD per 1M tokens. */
  maxPrice: 1000,
  /** Most API keys a provider may have. */
  maxProviderKeys: 16,
  /** Most model ids a provider may map. */
  maxProviderModels: 1000,
  /** Longest model id. */
  modelIdLength: 128,
  maxConcurrent: 10_000,
  /** Default of a provider's {@link ProviderRecord.maxConcurrent}. */
  defaultMaxConcurrent: 64,
} as const;

/** Longest a cached answer may be kept, seconds. */
export const MAX_CACHE_TTL_SECONDS = 30 * 24 * 60 * 60;
/** How long a cached answer is kept by default, seconds. */
export const DEFAULT_CACHE_TTL_SECONDS = 60 * 60;
/** The most requests or tokens per minute a rate limit may name. */
export const MAX_RATE = 1_000_000_000;
/** The most a quota may name (nano-USD or tokens a month). */
export const MAX_QUOTA = 1e15;
/** Audit entries one call returns without a limit, and the most it returns. */
export const DEFAULT_AUDIT_LIMIT = 1000;
export const MAX_AUDIT_LIMIT = 100_000;
