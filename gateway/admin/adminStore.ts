/**
 * What the admin commands need of a store, whether the data folder opened directly or a
 * running gateway's admin API: the same verbs, with providers shown as {@link ProviderView}s
 * (keys masked, never the secrets). Only a running gateway has live routes.
 */
import type { KeyState } from '../routing/route.js';
import type { CachePolicy, RateLimit } from '../store/policyTypes.js';
import type { GatewayStore, NewProvider, ProviderRecord } from '../store/types.js';
import { maskKey } from './maskKey.js';
import type {
  CompareInput,
  CompareRow,
  ProviderView,
  RouteView,
} from '../../common/adminRecords.js';

/** The store verbs the admin commands use as they are. */
type PlainVerbs =
  | 'createOrg'
  | 'listOrgs'
  | 'getOrg'
  | 'createApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'createEnrollmentCode'
  | 'listNodes'
  | 'revokeNode'
  | 'clearNodeFaults'
  | 'listUsage'
  | 'balances'
  | 'setRoutingRule'
  | 'listRoutingRules'
  | 'removeRoutingRule'
  | 'usageReport'
  | 'setRateLimit'
  | 'setQuota'
  | 'quotaStatus'
  | 'setCachePolicy'
  | 'listAudit';

/** What the admin commands need of a store (an HTTP client of the admin API can offer it too). */
export interface AdminStore extends Pick<GatewayStore, PlainVerbs> {
  /** Throws ConflictError for a taken name, RangeError for a bad field. */
  addProvider(provider: NewProvider): Promise<ProviderView>;
  listProviders(): Promise<ProviderView[]>;
  getProvider(name: string): Promise<ProviderView | null>;
  /** false for an unknown name; ConflictError while a rule names it. */
  removeProvider(name: string): Promise<boolean>;
  /** false for an unknown name. */
  setProviderEnabled(name: string, enabled: boolean): Promise<boolean>;
  listRateLimits(orgId?: string): Promise<RateLimit[]>;
  listCachePolicies(orgId?: string): Promise<CachePolicy[]>;
  /** The live routes; only a running gateway has them. */
  routes?(): Promise<RouteView[]>;
  /** Sends one prompt to every route; only a running gateway can. */
  compare?(input: CompareInput): Promise<CompareRow[]>;
}

/** A store, or a function that opens one only once the command line is valid (then closed after). */
export type AdminStoreSource =
  AdminStore | (() => Promise<AdminStore & { close(): Promise<void> }>);

/** The stored keys, masked, all 'active' (what is known without the live router). */
export function storedKeyStates(apiKeys: readonly string[]): KeyState[] {
  return apiKeys.map((key) => ({
    masked: maskKey(key),
    state: 'active',
    reason: null,
    restingUntil: null,
  }));
}

/**
 * A provider as the admin shows it: its keys replaced by their states, `live` ones when
 * given and not empty (a disabled provider has none in the router), else the stored keys
 * masked.
 */
export function providerView(record: ProviderRecord, live: KeyState[] = []): ProviderView {
  const { apiKeys, ...rest } = record;
  return { ...rest, keys: live.length > 0 ? live : storedKeyStates(apiKeys) };
}

/** The admin verbs over a store opened directly (no live routes, keys as stored). */
export function directAdminStore(store: GatewayStore): AdminStore {
  return {
    createOrg: (name) => store.createOrg(name),
    listOrgs: () => store.listOrgs(),
    getOrg: (id) => store.getOrg(id),
    createApiKey: (orgId, name, rate) => store.createApiKey(orgId, name, rate),
    listApiKeys: (orgId) => store.listApiKeys(orgId),
    revokeApiKey: (id) => store.revokeApiKey(id),
    createEnrollmentCode: (orgId, ttl) => store.createEnrollmentCode(orgId, ttl),
    listNodes: (orgId) => store.listNodes(orgId),
    revokeNode: (id) => store.revokeNode(id),
    clearNodeFaults: (id) => store.clearNodeFaults(id),
    listUsage: (filter) => store.listUsage(filter),
    balances: (orgId) => store.balances(orgId),
    setRoutingRule: (rule) => store.setRoutingRule(rule),
    listRoutingRules: (orgId) => store.listRoutingRules(orgId),
    removeRoutingRule: (orgId, model) => store.removeRoutingRule(orgId, model),
    usageReport: (query) => store.usageReport(query),
    setRateLimit: (limit) => store.setRateLimit(limit),
    setQuota: (quota) => store.setQuota(quota),
    quotaStatus: (orgId, month) => store.quotaStatus(orgId, month),
    setCachePolicy: (policy) => store.setCachePolicy(policy),
    listAudit: (filter) => store.listAudit(filter),
    listRateLimits: async (orgId) =>
      (await store.policySettings()).limits.filter((l) => orgId === undefined || l.orgId === orgId),
    listCachePolicies: async (orgId) =>
      (await store.policySettings()).caches.filter((c) => orgId === undefined || c.orgId === orgId),
    addProvider: async (provider) => providerView(await store.addProvider(provider)),
    listProviders: async () => (await store.listProviders()).map((p) => providerView(p)),
    getProvider: async (name) => {
      const found = await store.getProvider(name);
      return found ? providerView(found) : null;
    },
    removeProvider: (name) => store.removeProvider(name),
    setProviderEnabled: (name, enabled) => store.setProviderEnabled(name, enabled),
  };
}
