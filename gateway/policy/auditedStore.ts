/**
 * The store as an administrator changes it: every admin action and policy change is written
 * to the audit log with who did it, the value before and after, and when. Secrets never go
 * in: an API key's secret is not part of its record, and providers' keys are masked.
 */
import { providerView } from '../admin/adminStore.js';
import { scopeName, type PolicyScope, type PolicySettings } from '../store/policyTypes.js';
import type { GatewayStore, ProviderRecord } from '../store/types.js';

type Audited = Pick<
  GatewayStore,
  | 'createOrg'
  | 'createApiKey'
  | 'revokeApiKey'
  | 'createOrgAdminKey'
  | 'revokeOrgAdminKey'
  | 'createEnrollmentCode'
  | 'revokeNode'
  | 'clearNodeFaults'
  | 'addProvider'
  | 'upsertProvider'
  | 'removeProvider'
  | 'setProviderEnabled'
  | 'setRoutingRule'
  | 'removeRoutingRule'
  | 'setRateLimit'
  | 'setQuota'
  | 'setCachePolicy'
>;

const masked = (record: ProviderRecord | null) => (record ? providerView(record) : null);

/** A record without the times a write stamps on it, to tell whether it changed. */
function withoutTimes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { updatedAt: _updated, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** `store` with each admin change recorded as done by `actor` (`cli`, `admin-token:…`). */
export function auditedStore(store: GatewayStore, actor: string): GatewayStore {
  /** Runs a change; when it changed something, records before and after. */
  async function change<T>(
    action: string,
    target: string | ((result: T) => string),
    before: () => Promise<unknown>,
    run: () => Promise<T>,
    after: (result: T) => Promise<unknown> | unknown,
    changed: (result: T) => boolean = () => true,
  ): Promise<T> {
    const was = (await before()) ?? null;
    const result = await run();
    if (!changed(result)) return result;
    const now = (await after(result)) ?? null;
    // Re-applying the same setting (a config file at every start) changes nothing.
    if (was !== null && JSON.stringify(withoutTimes(was)) === JSON.stringify(withoutTimes(now)))
      return result;
    await store.appendAudit({
      actor,
      action,
      target: typeof target === 'string' ? target : target(result),
      before: was,
      after: now,
    });
    return result;
  }
  const none = async (): Promise<null> => null;
  const key = async (id: string) => (await store.listApiKeys()).find((k) => k.id === id) ?? null;
  const node = async (id: string) => (await store.listNodes()).find((n) => n.id === id) ?? null;
  const provider = async (name: string) => masked(await store.getProvider(name));
  const rule = async (orgId: string, model: string) =>
    (await store.listRoutingRules(orgId)).find((r) => r.orgId === orgId && r.model === model) ??
    null;
  const setting = async (list: keyof PolicySettings, scope: PolicyScope) =>
    (await store.policySettings())[list].find(
      (entry) => scopeName({ keyId: null, ...entry }) === scopeName(scope),
    ) ?? null;
  const yes = (done: boolean) => done;

  const verbs: Audited = {
    createOrg: (name) =>
      change(
        'org.create',
        (org) => org.id,
        none,
        () => store.createOrg(name),
        (org) => org,
      ),
    createApiKey: (orgId, name, rate) =>
      change(
        'key.create',
        (created) => created.info.id,
        none,
        () => store.createApiKey(orgId, name, rate),
        (created) => created.info,
      ),
    createOrgAdminKey: (orgId, name) =>
      change(
        'admin-key.create',
        (created) => created.info.id,
        none,
        () => store.createOrgAdminKey(orgId, name),
        (created) => created.info,
      ),
    revokeOrgAdminKey: (id) =>
      change(
        'admin-key.revoke',
        id,
        () => store.getOrgAdminKey(id),
        () => store.revokeOrgAdminKey(id),
        () => store.getOrgAdminKey(id),
        yes,
      ),
    revokeApiKey: (id) =>
      change(
        'key.revoke',
        id,
        () => key(id),
        () => store.revokeApiKey(id),
        () => key(id),
        yes,
      ),
    createEnrollmentCode: (orgId, ttl) =>
      change(
        'enroll-code.create',
        orgId,
        none,
        () => store.createEnrollmentCode(orgId, ttl),
        (code) => ({ orgId, expiresAt: code.expiresAt }),
      ),
    revokeNode: (id) =>
      change(
        'node.revoke',
        id,
        () => node(id),
        () => store.revokeNode(id),
        () => node(id),
        yes,
      ),
    clearNodeFaults: (id) =>
      change(
        'node.clear',
        id,
        () => node(id),
        () => store.clearNodeFaults(id),
        () => node(id),
        yes,
      ),
    addProvider: (p) =>
      change(
        'provider.add',
        p.name,
        none,
        () => store.addProvider(p),
        (added) => masked(added),
      ),
    upsertProvider: (p) =>
      change(
        'provider.set',
        p.name,
        () => provider(p.name),
        () => store.upsertProvider(p),
        (set) => masked(set),
      ),
    removeProvider: (name) =>
      change(
        'provider.remove',
        name,
        () => provider(name),
        () => store.removeProvider(name),
        none,
        yes,
      ),
    setProviderEnabled: (name, enabled) =>
      change(
        enabled ? 'provider.enable' : 'provider.disable',
        name,
        () => provider(name),
        () => store.setProviderEnabled(name, enabled),
        () => provider(name),
        yes,
      ),
    setRoutingRule: (r) =>
      change(
        'routing.set',
        `${r.orgId}/${r.model}`,
        () => rule(r.orgId, r.model),
        () => store.setRoutingRule(r),
        (set) => set,
      ),
    removeRoutingRule: (orgId, model) =>
      change(
        'routing.remove',
        `${orgId}/${model}`,
        () => rule(orgId, model),
        () => store.removeRoutingRule(orgId, model),
        none,
        yes,
      ),
    setRateLimit: (limit) =>
      change(
        'limits.set',
        scopeName(limit),
        () => setting('limits', limit),
        () => store.setRateLimit(limit),
        (set) => set,
      ),
    setQuota: (quota) =>
      change(
        'quota.set',
        scopeName(quota),
        () => setting('quotas', quota),
        () => store.setQuota(quota),
        (set) => set,
      ),
    setCachePolicy: (policy) =>
      change(
        'cache.set',
        `org:${policy.orgId}`,
        () => setting('caches', { orgId: policy.orgId, keyId: null }),
        () => store.setCachePolicy(policy),
        (set) => set,
      ),
  };
  return new Proxy(store, {
    get(target, property) {
      if (Object.hasOwn(verbs, property)) return verbs[property as keyof Audited];
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
