/**
 * What the gateway persists, behind one interface: organizations, API keys, enrollment
 * codes, nodes, and the usage ledger with balances. The default implementation is embedded
 * PostgreSQL (PGlite) in the data folder, so a restart loses nothing.
 */
import type { ModelPrice } from '../../common/protocol.js';

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
} as const;

export interface Org {
  id: string;
  name: string;
  createdAt: string;
}

export interface ApiKeyInfo {
  id: string;
  orgId: string;
  name: string;
  /** Requests per minute allowed for this key (null = gateway default). */
  rateLimitPerMinute: number | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface NodeRecord {
  id: string;
  orgId: string;
  name: string;
  /** base64 raw Ed25519 public key */
  publicKey: string;
  enrolledAt: string;
  revokedAt: string | null;
}

/** One accounted job, written once per job id. */
export interface UsageRecord {
  jobId: string;
  orgId: string;
  apiKeyId: string;
  nodeId: string | null;
  /** 'node' or the upstream provider's name */
  route: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  price: ModelPrice;
  chargedNanos: number;
  feeNanos: number;
  creditedNanos: number;
  createdAt: string;
}

export interface Balances {
  /** What the org's API keys were charged, in nano-USD. */
  spentNanos: number;
  /** What the org's nodes earned, in nano-USD. */
  earnedNanos: number;
}

export interface GatewayStore {
  createOrg(name: string): Promise<Org>;
  listOrgs(): Promise<Org[]>;
  /** The organization, or null for an unknown id. */
  getOrg(id: string): Promise<Org | null>;
  /**
   * Returns the secret once (`byoi-sk-…`); only its hash is stored. Throws
   * {@link UnknownOrgError} for an unknown org.
   */
  createApiKey(
    orgId: string,
    name: string,
    rateLimitPerMinute?: number | null,
  ): Promise<{ key: string; info: ApiKeyInfo }>;
  /** The key's info, or null for an unknown or revoked secret. */
  authenticateApiKey(secret: string): Promise<ApiKeyInfo | null>;
  /** Revokes the key (idempotent, keeps the first revocation time); false for an unknown id. */
  revokeApiKey(id: string): Promise<boolean>;
  listApiKeys(orgId?: string): Promise<ApiKeyInfo[]>;
  /**
   * A single-use code (`byoi-enroll-…`) that binds one node to the org; only its hash is
   * stored. Throws {@link UnknownOrgError} for an unknown org.
   */
  createEnrollmentCode(
    orgId: string,
    ttlSeconds?: number,
  ): Promise<{ code: string; expiresAt: string }>;
  /**
   * Consumes the code and records the node in one transaction. Throws
   * {@link EnrollmentError} for an unknown, used or expired code.
   */
  enrollNode(code: string, publicKey: string, name: string): Promise<NodeRecord>;
  /** The node with this key, revoked or not (the caller checks `revokedAt`). */
  nodeByPublicKey(publicKey: string): Promise<NodeRecord | null>;
  listNodes(orgId?: string): Promise<NodeRecord[]>;
  /** Revokes the node (idempotent, keeps the first revocation time); false for an unknown id. */
  revokeNode(id: string): Promise<boolean>;
  /** Records the job once; returns false (and changes nothing) if the job id was already recorded. */
  recordUsage(record: UsageRecord): Promise<boolean>;
  usageFor(jobId: string): Promise<UsageRecord | null>;
  /** Newest first; `limit` defaults to 100. */
  listUsage(filter?: { orgId?: string; nodeId?: string; limit?: number }): Promise<UsageRecord[]>;
  balances(orgId: string): Promise<Balances>;
  /** Waits for pending operations, then closes the database; later calls reject. */
  close(): Promise<void>;
}

/** Thrown when an operation names an organization that does not exist. */
export class UnknownOrgError extends Error {
  constructor(readonly orgId: string) {
    super(`Unknown organization '${orgId}'`);
    this.name = 'UnknownOrgError';
  }
}

/** Why an enrollment code was refused. */
export class EnrollmentError extends Error {
  constructor(readonly reason: 'unknown' | 'used' | 'expired' | 'key_in_use') {
    super(
      {
        unknown: 'Unknown enrollment code',
        used: 'This enrollment code was already used',
        expired: 'This enrollment code has expired',
        key_in_use: 'This node key is already enrolled',
      }[reason],
    );
    this.name = 'EnrollmentError';
  }
}
