/**
 * What the gateway persists, behind one interface: organizations, API keys, enrollment
 * codes, nodes, and the usage ledger with balances. The default implementation is embedded
 * PostgreSQL (PGlite) in the data folder, so a restart loses nothing.
 */
import type { MarketModel, ModelPrice, RewardSplit } from '../../common/protocol.js';

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

/**
 * How a node's earnings are shared, as the node last said in a `rewards` frame. A node that
 * never said has {@link DEFAULT_NODE_REWARDS}.
 */
export interface NodeRewards {
  split: RewardSplit;
  /** Who receives the mission share; null when the node named none. */
  missionCause: string | null;
}

/** Everything to the provider as cash rewards, and no cause. */
export const DEFAULT_NODE_REWARDS: Readonly<NodeRewards> = Object.freeze({
  split: Object.freeze({ rewards: 100, exchange: 0, mission: 0 }),
  missionCause: null,
});

/** The key of {@link Balances.missionByCause} for mission shares of nodes that named no cause. */
export const NO_MISSION_CAUSE = '(none)';

/** One accounted job as it is written, once per job id. */
export interface NewUsageRecord {
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

/**
 * The node's credit for one job shared by the node's split when the job was recorded:
 * rewards = floor(credit × rewards / 100), exchange = floor(credit × exchange / 100), mission =
 * the rest, so
 * the three always add up to `creditedNanos`.
 */
export interface RewardShares {
  /** Cash payout to the provider, in nano-USD. */
  rewardsNanos: number;
  /** Network credit the provider can spend on the API, in nano-USD. */
  exchangeNanos: number;
  /** Donated to {@link missionCause}, in nano-USD. */
  missionNanos: number;
  /** The node's cause when its split had a mission share, else null. */
  missionCause: string | null;
}

/** One accounted job as stored: what was written and how the node's credit was shared. */
export interface UsageRecord extends NewUsageRecord, RewardShares {}

export interface Balances {
  /** What the org's API keys were charged, in nano-USD. */
  spentNanos: number;
  /** What the org's nodes earned, in nano-USD: rewards + exchange + mission. */
  earnedNanos: number;
  /** The part of the earnings paid out as cash, in nano-USD. */
  rewardsNanos: number;
  /** The part kept as network credit to spend on the API, in nano-USD. */
  exchangeNanos: number;
  /** The part donated, in nano-USD. */
  missionNanos: number;
  /** {@link missionNanos} by cause ({@link NO_MISSION_CAUSE} for none); only causes with money. */
  missionByCause: Record<string, number>;
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
  /**
   * Sets how the node's earnings are shared from now on (earlier usage keeps its shares).
   * Throws a RangeError for a split that does not add up to 100; false for an unknown node.
   */
  setNodeRewards(nodeId: string, rewards: NodeRewards): Promise<boolean>;
  /** The node's split ({@link DEFAULT_NODE_REWARDS} until it sent one), or null for an unknown node. */
  nodeRewards(nodeId: string): Promise<NodeRewards | null>;
  /**
   * Records the job once, sharing its credit by the serving node's current split; returns
   * false (and changes nothing) if the job id was already recorded.
   */
  recordUsage(record: NewUsageRecord): Promise<boolean>;
  usageFor(jobId: string): Promise<UsageRecord | null>;
  /** Newest first; `limit` defaults to 100. */
  listUsage(filter?: { orgId?: string; nodeId?: string; limit?: number }): Promise<UsageRecord[]>;
  balances(orgId: string): Promise<Balances>;
  /**
   * Per model, quartiles (`percentile_cont`) of the prompt and completion prices of node jobs
   * recorded since `since`, one sample per job; sorted by model id.
   */
  recentPrices(since: Date): Promise<MarketModel[]>;
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
