/**
 * What the gateway persists, behind one interface: organizations, API keys, enrollment
 * codes, nodes, and the usage ledger with balances. The default implementation is embedded
 * PostgreSQL (PGlite) in the data folder, so a restart loses nothing.
 */
import type { MarketModel, RewardSplit } from '../../common/protocol.js';
import type { PolicyStore } from './policyTypes.js';
import type { ClusterStore } from './cluster.js';
import type {
  ApiKeyInfo,
  Balances,
  DailyUsageRow,
  NewUsageRecord,
  NodeFaultKind,
  NodeRecord,
  Org,
  OrgAdminKeyInfo,
  ProviderView,
  RoutingRule,
  UsageRecord,
  UsageReportRow,
  UsageGroupBy,
} from '../../common/adminRecords.js';

export { STORE_LIMITS } from '../../common/adminLimits.js';
export { NODE_FAULT_KINDS } from '../../common/adminRecords.js';
export type {
  NewUsageRecord,
  RewardShares,
  UsageOutcome,
  UsageRecord,
  ApiKeyInfo,
  Balances,
  NodeFault,
  NodeFaultKind,
  NodeRecord,
  Org,
  RoutingRule,
  RoutingStrategy,
  UsageGroupBy,
  UsageReportRow,
} from '../../common/adminRecords.js';

/** What counting a fault did. */
export interface NodeFaultOutcome {
  /** The node's faults of every kind since the last clear. */
  total: number;
  /** Whether the node is quarantined now. */
  quarantined: boolean;
  /** Whether this fault is the one that quarantined it. */
  newlyQuarantined: boolean;
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

/** An OpenAI-compatible provider the gateway can route to, as stored (keys included: internal only). */
export interface ProviderRecord extends Omit<ProviderView, 'keys'> {
  /** API keys, used in turn. Secrets: never logged or returned by the admin API. */
  apiKeys: string[];
}

/** What `addProvider` / `upsertProvider` take. */
export type NewProvider = Omit<ProviderRecord, 'createdAt' | 'enabled' | 'maxConcurrent'> & {
  enabled?: boolean;
  maxConcurrent?: number;
};

/** The route names a rule may list besides providers. */
export const NODE_ROUTE_NAMES = ['nodes', 'own-nodes'] as const;

export type NewRoutingRule = Omit<RoutingRule, 'updatedAt'>;

export interface UsageReportQuery {
  orgId: string;
  by: UsageGroupBy;
  /** ISO times; rows at or after `since` and before `until`. */
  since?: string;
  until?: string;
}

export interface GatewayStore extends PolicyStore, ClusterStore {
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
  /** One API key by id, revoked or not, or null. */
  getApiKey(id: string): Promise<ApiKeyInfo | null>;
  /** Returns the secret once (`byoi-oak-…`); only its hash is stored. Throws UnknownOrgError. */
  createOrgAdminKey(orgId: string, name: string): Promise<{ key: string; info: OrgAdminKeyInfo }>;
  /** The active org admin key with this secret (its last use stamped), or null. */
  useOrgAdminKey(secret: string): Promise<OrgAdminKeyInfo | null>;
  getOrgAdminKey(id: string): Promise<OrgAdminKeyInfo | null>;
  listOrgAdminKeys(orgId?: string): Promise<OrgAdminKeyInfo[]>;
  revokeOrgAdminKey(id: string): Promise<boolean>;
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
   * Counts one fault against the node, and quarantines it once its faults since the last
   * clear reach `quarantineAfter` (0: never). Null for an unknown node.
   */
  recordNodeFault(
    nodeId: string,
    kind: NodeFaultKind,
    detail: string,
    quarantineAfter: number,
  ): Promise<NodeFaultOutcome | null>;
  /** Forgets the node's faults and lifts its quarantine; false for an unknown node. */
  clearNodeFaults(nodeId: string): Promise<boolean>;
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
  /** Adds a provider; throws {@link ConflictError} when the name is taken, RangeError for bad fields. */
  addProvider(provider: NewProvider): Promise<ProviderRecord>;
  /** Adds or replaces a provider by name (the config file's idempotent apply). */
  upsertProvider(provider: NewProvider): Promise<ProviderRecord>;
  listProviders(): Promise<ProviderRecord[]>;
  getProvider(name: string): Promise<ProviderRecord | null>;
  /** false for an unknown name. */
  removeProvider(name: string): Promise<boolean>;
  /** false for an unknown name. */
  setProviderEnabled(name: string, enabled: boolean): Promise<boolean>;
  /** Sets (adds or replaces) the rule for its org and model; RangeError for bad fields. */
  setRoutingRule(rule: NewRoutingRule): Promise<RoutingRule>;
  /** Every rule, or those of one org (plus none of `*`). */
  listRoutingRules(orgId?: string): Promise<RoutingRule[]>;
  /** false when there was no such rule. */
  removeRoutingRule(orgId: string, model: string): Promise<boolean>;
  /** An organization's usage grouped by model, route, key or node, sorted by group. */
  usageReport(query: UsageReportQuery): Promise<UsageReportRow[]>;
  /** The org's usage per UTC day, the last `days` days (today included), oldest first. */
  usageDaily(orgId: string, days: number): Promise<DailyUsageRow[]>;
  /** What each node (of the org, or of all) was credited in all, nano-USD, by node id. */
  nodeEarnings(orgId?: string): Promise<Record<string, number>>;
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

/** Thrown when something with that name or key already exists. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
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
