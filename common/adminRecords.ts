/**
 * What the gateway's admin API answers with: the records it keeps (organizations, keys,
 * nodes, rules, policy, audit) and its views of the router's live state. The gateway, its
 * CLI and the console share these types.
 */
import type { ModelPrice } from './protocol.js';

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

/** How routes are ordered for one rule. */
export type RoutingStrategy = 'cheapest' | 'fastest' | 'balanced' | 'pinned';

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

/** How `usageReport` groups rows. */
export type UsageGroupBy = 'model' | 'route' | 'key' | 'node';

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

/** A limit's holder: the organization as a whole, or one of its keys. */
export interface PolicyScope {
  orgId: string;
  /** null: the whole organization. */
  keyId: string | null;
}

export interface RateLimit extends PolicyScope {
  /** Requests per minute; null: none. */
  rpm: number | null;
  /** Tokens per minute (prompt estimate plus max_tokens at admission); null: none. */
  tpm: number | null;
  updatedAt: string;
}

export interface Quota extends PolicyScope {
  /** Monthly spend in nano-USD (UTC calendar month); null: none. */
  monthlyNanos: number | null;
  /** Monthly tokens, prompt and completion; null: none. */
  monthlyTokens: number | null;
  updatedAt: string;
}

/** A quota with this month's figures. */
export interface QuotaStatus extends Quota {
  /** `YYYY-MM`, UTC. */
  month: string;
  spentNanos: number;
  spentTokens: number;
  /** Held by requests in flight, settled when they end. */
  reservedNanos: number;
  reservedTokens: number;
}

export type CacheCharge = 'full' | 'none';

export interface CachePolicy {
  orgId: string;
  enabled: boolean;
  ttlSeconds: number;
  /** What a hit costs the client: the price of the answer it replays, or nothing. */
  charge: CacheCharge;
  updatedAt: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  /** Who: `cli`, `admin-token:…`, or a console user. */
  actor: string;
  /** e.g. `limits.set`, `key.revoke`, `quota.warning`. */
  action: string;
  /** What it applied to: an org, key, provider… */
  target: string;
  before: unknown;
  after: unknown;
}

/** `relay`: a node that another gateway instance of the cluster holds (`gateway/cluster/`). */
export type RouteKind = 'node' | 'upstream' | 'relay';

/** One key of an upstream route, for the routes listing (never the secret itself). */
export interface KeyState {
  /** e.g. `sk-…a1b2` */
  masked: string;
  state: 'active' | 'disabled' | 'resting';
  /** Why it is disabled or resting. */
  reason: string | null;
  /** ISO time a resting key is used again. */
  restingUntil: string | null;
}

/** State of a route's circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One route as `GET /admin/v1/routes` lists it. */
export interface RouteView {
  id: string;
  kind: RouteKind;
  /** Provider name, or `node`. */
  label: string;
  nodeId: string | null;
  models: string[];
  state: BreakerState;
  /** When an open breaker lets a probe through (ISO), or null. */
  retryAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** The gateway's own measurements (EWMA over recent tries); null before the first. */
  timeToFirstTokenMs: number | null;
  latencyMs: number | null;
  tokensPerSecond: number | null;
  inFlight: number;
  /** Upstream keys, masked; empty for nodes. */
  keys: KeyState[];
}

/** A provider as the admin API shows it: keys masked, with their live states when known. */
export interface ProviderView {
  /** Unique; letters, digits, `-`, `_` and `.`; not `node`, `nodes` or `own-nodes`. */
  name: string;
  /** e.g. `https://api.example.com/v1`: `/chat/completions` and `/models` are under it. */
  baseUrl: string;
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
  keys: KeyState[];
}

/** `POST /admin/v1/compare` */
export interface CompareInput {
  orgId: string;
  model: string;
  prompt: string;
  maxTokens?: number;
  /** The API key billed; default the org's oldest active key. */
  apiKeyId?: string;
  /** Route ids to compare; default every route that serves the model. */
  routes?: string[];
}

/** One route's answer to the comparison prompt. */
export interface CompareRow {
  route: string;
  nodeId: string | null;
  /** HTTP status the request got (200 on success). */
  status: number;
  timeToFirstTokenMs: number | null;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  /** Charged to the organization, nano-USD. */
  costNanos: number;
  error: string | null;
}

/** A key that lets an organization's admins run that organization (never its secret). */
export interface OrgAdminKeyInfo {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** Who is signed in to the admin API or the console. */
export type AdminIdentity =
  { kind: 'operator' } | { kind: 'org'; orgId: string; orgName: string; keyId: string };

/** `POST` and `GET /console/api/session` */
export interface ConsoleSession {
  identity: AdminIdentity;
  /** Sent back as `x-csrf-token` on every admin call. */
  csrfToken: string;
  expiresAt: string;
}

/** A node as the console's fleet view shows it: its record and what the router sees live. */
export interface NodeView extends NodeRecord {
  online: boolean;
  paused: boolean;
  pausedReason: string | null;
  models: string[];
  tokensPerSecond: number | null;
  slots: { total: number; busy: number } | null;
  /** 0 to 1, the gateway's standing score of the node; null before it served. */
  reliability: number | null;
  earnedNanos: number;
}

/** One UTC day of an organization's usage (`GET /admin/v1/usage/daily`). */
export interface DailyUsageRow {
  day: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costNanos: number;
}

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
