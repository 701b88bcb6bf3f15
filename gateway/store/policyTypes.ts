/**
 * What the store keeps of an organization's policy: rate limits and quotas (per
 * organization and per key), the response-cache policy, and the append-only audit log.
 * Counters live in the database and change only by conditional statements, so that every
 * gateway instance on one database agrees on them.
 */
import type {
  AuditEntry,
  CachePolicy,
  PolicyScope,
  Quota,
  QuotaStatus,
  RateLimit,
} from '../../common/adminRecords.js';

export type {
  AuditEntry,
  CacheCharge,
  CachePolicy,
  PolicyScope,
  Quota,
  QuotaStatus,
  RateLimit,
} from '../../common/adminRecords.js';

/** The scope's name in the counters' tables. */
export const scopeName = (scope: PolicyScope): string =>
  scope.keyId === null ? `org:${scope.orgId}` : `key:${scope.keyId}`;

export type NewRateLimit = Omit<RateLimit, 'updatedAt'>;

export type NewQuota = Omit<Quota, 'updatedAt'>;

export type NewCachePolicy = Omit<CachePolicy, 'updatedAt'>;

/** Every policy setting at once: what each gateway instance keeps in memory. */
export interface PolicySettings {
  limits: RateLimit[];
  quotas: Quota[];
  caches: CachePolicy[];
}

/** One scope's claim at admission. */
export interface ScopeClaim {
  scope: string;
  /** The limits in force (what the instance's settings said). */
  rpm: number | null;
  tpm: number | null;
  monthlyNanos: number | null;
  monthlyTokens: number | null;
}

/** A request asking to be admitted: the scopes in order (key first), and what it reserves. */
export interface AdmissionClaim {
  claims: ScopeClaim[];
  /** Prompt estimate plus max_tokens: counted against tpm and monthly tokens. */
  tokens: number;
  /** The worst-case cost, nano-USD. */
  nanos: number;
  /** The rate window (start of the UTC minute) and quota month it falls in. */
  windowStart: Date;
  month: string;
}

/** One scope's figures after admission, for the response headers. */
export interface ScopeFigures {
  scope: string;
  requests: number;
  tokens: number;
  spentNanos: number;
  reservedNanos: number;
  spentTokens: number;
  reservedTokens: number;
}

export type AdmissionRefusal = 'requests' | 'tokens' | 'quota_usd' | 'quota_tokens';

/** Admitted (every scope counted and reserved), or refused by the first scope that is full. */
export type AdmissionOutcome =
  | { admitted: true; figures: ScopeFigures[] }
  | { admitted: false; scope: string; refusal: AdmissionRefusal; figures: ScopeFigures | null };

/** What an admitted request settles when it ends. */
export interface Settlement {
  /** The claims it was admitted with (their quotas name the thresholds). */
  claims: ScopeClaim[];
  windowStart: Date;
  month: string;
  reservedTokens: number;
  reservedNanos: number;
  /** The real count and cost (0 for a request that failed). */
  tokens: number;
  nanos: number;
}

/** A quota threshold a settlement crossed, reported once across all instances. */
export interface QuotaCrossing {
  scope: string;
  /** 80 or 100. */
  percent: number;
  what: 'usd' | 'tokens';
}

export type NewAuditEntry = Omit<AuditEntry, 'seq' | 'at'>;

/** Which audit entries to list: `since` ≤ at < `until`, actor containing, action starting with. */
export interface AuditFilter {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit?: number;
}

/** The policy part of the gateway store. */
export interface PolicyStore {
  /** Sets (or, with both null, clears) a rate limit. UnknownOrgError; RangeError for an unknown key. */
  setRateLimit(limit: NewRateLimit): Promise<RateLimit | null>;
  setQuota(quota: NewQuota): Promise<Quota | null>;
  /** The organization's quotas with this month's figures. */
  quotaStatus(orgId: string, month: string): Promise<QuotaStatus[]>;
  setCachePolicy(policy: NewCachePolicy): Promise<CachePolicy>;
  policySettings(): Promise<PolicySettings>;
  /** Counts and reserves in one transaction: either every scope takes the request, or none. */
  admit(claim: AdmissionClaim): Promise<AdmissionOutcome>;
  settle(settlement: Settlement): Promise<QuotaCrossing[]>;
  /** Drops rate windows that started before `windowsBefore`, and expired cached answers. */
  prunePolicy(windowsBefore: Date): Promise<void>;
  /** The first unexpired cached answer of `orgId` among `keys`, in their order. */
  findCached(orgId: string, keys: string[]): Promise<{ key: string; body: unknown } | null>;
  /** Keeps an answer for `ttlSeconds`; false when it is too large to keep. */
  storeCached(orgId: string, key: string, body: unknown, ttlSeconds: number): Promise<boolean>;
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
}
