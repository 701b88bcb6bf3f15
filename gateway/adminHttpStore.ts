/**
 * The admin commands' store over a running gateway's admin HTTP API (`/admin/v1`), for
 * `byoi-gateway admin --url URL`: the database folder belongs to the running gateway and
 * cannot be opened by a second process.
 */
import { ApiError } from '../common/openaiErrors.js';
import { ADMIN_PREFIX } from './admin/adminRoutes.js';
import type { AdminStore } from './admin/adminStore.js';
import type { CompareRow, ProviderView, RouteView } from '../common/adminRecords.js';
import type {
  AuditEntry,
  CachePolicy,
  Quota,
  QuotaStatus,
  RateLimit,
} from './store/policyTypes.js';
import type {
  ApiKeyInfo,
  Balances,
  NodeRecord,
  Org,
  RoutingRule,
  UsageRecord,
  UsageReportRow,
} from './store/types.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An {@link AdminStore} that calls the admin API at `url` with `adminToken`. */
export function adminHttpStore(url: string, adminToken: string): AdminStore {
  const base = `${url.replace(/\/+$/, '')}${ADMIN_PREFIX}`;

  async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = error instanceof Error ? (error.cause as Error | undefined) : undefined;
      throw new Error(`Could not reach the gateway at ${url}: ${cause?.message ?? String(error)}`);
    }
    const json = (await response.json().catch(() => null)) as {
      error?: { message?: string; type?: string; code?: string | null; param?: string | null };
    } | null;
    if (!response.ok) {
      const error = json?.error;
      throw new ApiError(
        response.status,
        error?.message ?? `The gateway answered HTTP ${response.status}`,
        error?.type ?? 'api_error',
        error?.code ?? null,
        error?.param ?? null,
      );
    }
    return json as T;
  }

  const query = (params: Record<string, string | number | undefined>): string => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) search.set(name, String(value));
    }
    return search.size ? `?${search}` : '';
  };
  /** true when done, false for a 404 (no such id), as the store answers. */
  const found = async (path: string, method: Method = 'DELETE'): Promise<boolean> => {
    try {
      await call(method, path);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
  };
  const id = encodeURIComponent;
  const data = async <T>(path: string): Promise<T[]> =>
    (await call<{ data: T[] }>('GET', path)).data;

  return {
    createOrg: (name) => call<Org>('POST', '/orgs', { name }),
    listOrgs: async () => (await call<{ data: Org[] }>('GET', '/orgs')).data,
    getOrg: async (orgId) =>
      (await call<{ data: Org[] }>('GET', '/orgs')).data.find((org) => org.id === orgId) ?? null,
    createApiKey: (orgId, name, rateLimitPerMinute = null) =>
      call('POST', `/orgs/${id(orgId)}/keys`, { name, rateLimitPerMinute }),
    listApiKeys: async (orgId) =>
      (await call<{ data: ApiKeyInfo[] }>('GET', `/keys${query({ orgId })}`)).data,
    revokeApiKey: (keyId) => found(`/keys/${id(keyId)}`),
    createEnrollmentCode: (orgId, ttlSeconds) =>
      call('POST', `/orgs/${id(orgId)}/enrollment-codes`, ttlSeconds ? { ttlSeconds } : {}),
    listNodes: async (orgId) =>
      (await call<{ data: NodeRecord[] }>('GET', `/nodes${query({ orgId })}`)).data,
    revokeNode: (nodeId) => found(`/nodes/${id(nodeId)}`),
    clearNodeFaults: (nodeId) => found(`/nodes/${id(nodeId)}/clear-faults`, 'POST'),
    listUsage: async (filter = {}) =>
      (await call<{ data: UsageRecord[] }>('GET', `/usage${query(filter)}`)).data,
    balances: async (orgId) => {
      const b = await call<Partial<Balances> & Pick<Balances, 'spentNanos' | 'earnedNanos'>>(
        'GET',
        `/orgs/${id(orgId)}/balance`,
      );
      // A gateway from before reward splits sends only spent and earned: all of it rewards.
      return {
        spentNanos: b.spentNanos,
        earnedNanos: b.earnedNanos,
        rewardsNanos: b.rewardsNanos ?? b.earnedNanos,
        exchangeNanos: b.exchangeNanos ?? 0,
        missionNanos: b.missionNanos ?? 0,
        missionByCause: b.missionByCause ?? {},
      };
    },
    addProvider: (provider) => call<ProviderView>('POST', '/providers', provider),
    listProviders: () => data<ProviderView>('/providers'),
    getProvider: async (name) => {
      try {
        return await call<ProviderView>('GET', `/providers/${id(name)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    removeProvider: (name) => found(`/providers/${id(name)}`),
    setProviderEnabled: (name, enabled) =>
      found(`/providers/${id(name)}/${enabled ? 'enable' : 'disable'}`, 'POST'),
    setRoutingRule: (rule) => call<RoutingRule>('PUT', '/routing-rules', rule),
    listRoutingRules: (orgId) => data<RoutingRule>(`/routing-rules${query({ orgId })}`),
    removeRoutingRule: (orgId, model) => found(`/routing-rules${query({ orgId, model })}`),
    usageReport: ({ orgId, by, since, until }) =>
      data<UsageReportRow>(`/usage/report${query({ orgId, by, since, until })}`),
    setRateLimit: async (limit) => {
      const set = await call<RateLimit & { cleared?: true }>('PUT', '/limits', limit);
      return set.cleared ? null : set;
    },
    listRateLimits: (orgId) => data<RateLimit>(`/limits${query({ orgId })}`),
    setQuota: async ({ monthlyNanos, ...quota }) => {
      const monthlyUsd = monthlyNanos === null ? null : monthlyNanos / 1e9;
      const set = await call<Quota & { cleared?: true }>('PUT', '/quotas', {
        ...quota,
        monthlyUsd,
      });
      return set.cleared ? null : set;
    },
    quotaStatus: (orgId, month) => data<QuotaStatus>(`/quotas${query({ orgId, month })}`),
    setCachePolicy: (policy) => call<CachePolicy>('PUT', '/cache', policy),
    listCachePolicies: (orgId) => data<CachePolicy>(`/cache${query({ orgId })}`),
    listAudit: (filter) => data<AuditEntry>(`/audit${query({ ...filter })}`),
    routes: () => data<RouteView>('/routes'),
    compare: async (input) => (await call<{ data: CompareRow[] }>('POST', '/compare', input)).data,
  };
}
