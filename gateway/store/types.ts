/**
 * What the gateway persists, behind one interface: organizations, API keys, enrollment
 * codes, nodes, and the usage ledger with balances. The default implementation is embedded
 * PostgreSQL (PGlite) in the data folder, so a restart loses nothing.
 */
import type { MarketModel, ModelPrice, RewardSplit } from '../../common/protocol.js';
import type { PolicyStore } from './policyTypes.js';
import type { ClusterStore } from './cluster.js';

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
  /** Since when the node gets no offers, for its faults; null when it is not quarantined. */
  quarantinedAt: string | null;
  /** Its faults since an operator last cleared them, one entry per kind. */
  faults: NodeFault[];
}

/** What a node did wrong, as the gateway saw it. */
export const NODE_FAULT_KINDS = [
  /** It reported more tokens than the gateway relayed (billed at the bound). */
  'usage_over_report',
  /** Its output was out of shape for the job. */
  'malformed_output',
  /** It went silent mid-job. */
  'stall',
  /** It accepted a job and produced nothing in time. */
  'no_output',
  /** It never answered an offer. */
  'offer_timeout',
] as const;
export type NodeFaultKind = (typeof NODE_FAULT_KINDS)[number];

/** One kind of fault of one node. */
export interface NodeFault {
  kind: NodeFaultKind;
  count: number;
  lastAt: string;
  /** What the gateway saw the last time (its own words, never the node's text). */
  lastDetail: string;
}

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
  /** The client request this job served; continued streams have several jobs per request. Defaults to `jobId`. */
  requestId?: string;
  /** What the network pays the upstream provider for this job, in nano-USD (0 for nodes). */
  costNanos?: number;
  /** ms from the request's arrival to its first output, as the gateway measured it; null for none. */
  timeToFirstTokenMs?: number | null;
  /** ms from the request's arrival to its end, as the gateway measured it. */
  latencyMs?: number | null;
  /** How many routes or keys were tried for the request (1 when the first one served it). */
  attempts?: number;
  /** 'ok', or 'error' for a request that failed (then its tokens and money are 0). */
  outcome?: UsageOutcome;
  /** Every route that took part, in order, comma-separated (provider names, `node:<id>`). */
  routes?: string;
}

export type UsageOutcome = 'ok' | 'error';

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
export interface UsageRecord extends Required<NewUsageRecord>, RewardShares {}

/** An OpenAI-compatible provider the gateway can route to, as stored (keys included: internal only). */
export interface ProviderRecord {
  /** Unique; letters, digits, `-`, `_` and `.`; not `node`, `nodes` or `own-nodes`. */
  name: string;
  /** e.g. `https://api.example.com/v1`: `/chat/completions` and `/models` are under it. */
  baseUrl: string;
  /** API keys, used in turn. Secrets: never logged or returned by the admin API. */
  apiKeys: string[];
  /** The model ids clients ask for, mapped to the provider's own ids. */
  models: Record<string, string>;
  /** What the organization is charged, USD per 1M tokens. */
  price: ModelPrice;
  /** What the network pays the provider, USD per 1M tokens, when known (for margins). */
  cost: ModelPrice | null;
  /** Requests in flight at most; more wait in the gateway's queue. */
  maxConcurrent: number;
  enabled: boolean;
  createdAt: string;
}

/** What `addProvider` / `upsertProvider` take. */
export type NewProvider = Omit<ProviderRecord, 'createdAt' | 'enabled' | 'maxConcurrent'> & {
  enabled?: boolean;
  maxConcurrent?: number;
};

/** How routes are ordered for one rule. */
export type RoutingStrategy = 'cheapest' | 'fastest' | 'balanced' | 'pinned';

/** The route names a rule may list besides providers. */
export const NODE_ROUTE_NAMES = ['nodes', 'own-nodes'] as const;

/** A routing rule for an organization (or `*`) and a model (or `*`). */
export interface RoutingRule {
  /** An org id, or `*` for every org. */
  orgId: string;
  /** A model id, or `*` for every model. */
  model: string;
  strategy: RoutingStrategy;
  /** Allowed routes in fallback order (provider names, `nodes`, `own-nodes`); null = every route. */
  routes: string[] | null;
  /** For `balanced`: the share of each route, e.g. {A: 3, B: 1}. */
  weights: Record<string, number> | null;
  /** Routes charging more than this (USD per 1M tokens) are skipped; null = no ceiling. */
  maxPrice: ModelPrice | null;
  updatedAt: string;
}

export type NewRoutingRule = Omit<RoutingRule, 'updatedAt'>;

/** How `usageReport` groups rows. */
export type UsageGroupBy = 'model' | 'route' | 'key' | 'node';

export interface UsageReportQuery {
  orgId: string;
  by: UsageGroupBy;
  /** ISO times; rows at or after `since` and before `until`. */
  since?: string;
  until?: string;
}

/** One group of an organization's usage. */
export interface UsageReportRow {
  /** The model, route name, API key id or node id ('-' for rows without one). */
  group: string;
  /** Client requests (a continued stream is one request). */
  requests: number;
  /** Requests that failed. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Charged to the organization, nano-USD. */
  costNanos: number;
  /** Paid to upstream providers, nano-USD. */
  upstreamCostNanos: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

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
