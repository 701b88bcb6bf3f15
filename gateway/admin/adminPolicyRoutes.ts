/**
 * The admin API's policy part: rate limits, quotas (with this month's figures), cache
 * policies and the audit log. After every change the live policy rereads its settings, so
 * that it applies at once on this instance (other instances within a few seconds).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ContextOf } from './adminAccess.js';
import { parseOrThrow } from '../../common/openaiErrors.js';
import { monthOf } from '../policy/policy.js';
import type { GatewayStore } from '../store/types.js';
import { notFound, storeCall } from './adminHttpErrors.js';
import type { AdminLive } from './adminLive.js';
import {
  auditQuerySchema,
  quotaQuerySchema,
  setCacheBodySchema,
  setLimitBodySchema,
  setQuotaBodySchema,
} from '../../common/adminApi.js';
import { orgFilterQuerySchema } from '../../common/adminApi.js';
import { auditCsv } from './adminTables.js';

/** Registers the policy endpoints in the (gated) admin scope. */
export function registerPolicyRoutes(
  scope: FastifyInstance,
  ctx: ContextOf,
  live: AdminLive,
): void {
  const changed = async <T>(value: T): Promise<T> => {
    await live.policyChanged();
    return value;
  };
  const requireOrg = async (store: GatewayStore, orgId: string | undefined) => {
    if (orgId !== undefined && !(await store.getOrg(orgId)))
      throw notFound('organization', orgId, 'orgId');
  };
  /** The store, once the body's org (and key, if any) are the caller's. */
  const ownScope = async (
    request: FastifyRequest,
    body: { orgId: string; keyId: string | null },
  ) => {
    const { store, scope: access } = ctx(request);
    access.requiredOrg(body.orgId);
    if (body.keyId !== null && access.ownOrg !== null) {
      const keys = await store.listApiKeys(access.ownOrg);
      access.owns(
        keys.find((key) => key.id === body.keyId),
        'API key',
        body.keyId,
      );
    }
    return store;
  };

  scope.put('/limits', async (request) => {
    const body = parseOrThrow(setLimitBodySchema, request.body ?? {});
    const store = await ownScope(request, body);
    const limit = await storeCall(() => store.setRateLimit(body));
    return changed(limit ?? { ...body, cleared: true });
  });

  scope.get('/limits', async (request) => {
    const { store, scope: access } = ctx(request);
    const orgId = access.org(parseOrThrow(orgFilterQuerySchema, request.query).orgId);
    await requireOrg(store, orgId);
    const { limits } = await store.policySettings();
    return { data: limits.filter((l) => orgId === undefined || l.orgId === orgId) };
  });

  scope.put('/quotas', async (request) => {
    const { monthlyUsd, ...body } = parseOrThrow(setQuotaBodySchema, request.body ?? {});
    const store = await ownScope(request, body);
    const monthlyNanos = monthlyUsd === null ? null : Math.round(monthlyUsd * 1e9);
    const quota = await storeCall(() => store.setQuota({ ...body, monthlyNanos }));
    return changed(quota ?? { ...body, monthlyNanos, cleared: true });
  });

  scope.get('/quotas', async (request) => {
    const { store, scope: access } = ctx(request);
    const { orgId, month } = parseOrThrow(quotaQuerySchema, request.query);
    access.requiredOrg(orgId);
    await requireOrg(store, orgId);
    return { data: await store.quotaStatus(orgId, month ?? monthOf(Date.now())) };
  });

  scope.put('/cache', async (request) => {
    const body = parseOrThrow(setCacheBodySchema, request.body ?? {});
    const store = await ownScope(request, { orgId: body.orgId, keyId: null });
    return changed(await storeCall(() => store.setCachePolicy(body)));
  });

  scope.get('/cache', async (request) => {
    const { store, scope: access } = ctx(request);
    const orgId = access.org(parseOrThrow(orgFilterQuerySchema, request.query).orgId);
    await requireOrg(store, orgId);
    const { caches } = await store.policySettings();
    return { data: caches.filter((c) => orgId === undefined || c.orgId === orgId) };
  });

  scope.get('/audit', async (request, reply) => {
    const { store, scope: access } = ctx(request);
    const { format, ...filter } = parseOrThrow(auditQuerySchema, request.query);
    const own = access.ownOrg;
    const all = await storeCall(() => store.listAudit(filter));
    // An org admin sees the entries about its own organization: by it, or naming it.
    const entries =
      own === null
        ? all
        : all.filter(
            (entry) =>
              JSON.stringify(entry).includes(`"${own}"`) || entry.actor.endsWith(`@${own}`),
          );
    if (format === 'json') return { data: entries };
    return reply.type('text/csv; charset=utf-8').send(`${auditCsv(entries).join('\n')}\n`);
  });
}
