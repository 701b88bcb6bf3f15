/**
 * The admin API's policy part: rate limits, quotas (with this month's figures), cache
 * policies and the audit log. After every change the live policy rereads its settings, so
 * that it applies at once on this instance (other instances within a few seconds).
 */
import type { FastifyInstance } from 'fastify';
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
} from './adminPolicySchemas.js';
import { orgFilterQuerySchema } from './adminSchemas.js';
import { auditCsv } from './adminTables.js';

/** Registers the policy endpoints in the (token-checked) admin scope. */
export function registerPolicyRoutes(
  scope: FastifyInstance,
  store: GatewayStore,
  live: AdminLive,
): void {
  const changed = async <T>(value: T): Promise<T> => {
    await live.policyChanged();
    return value;
  };
  const requireOrg = async (orgId: string | undefined) => {
    if (orgId !== undefined && !(await store.getOrg(orgId)))
      throw notFound('organization', orgId, 'orgId');
  };

  scope.put('/limits', async (request) => {
    const body = parseOrThrow(setLimitBodySchema, request.body ?? {});
    const limit = await storeCall(() => store.setRateLimit(body));
    return changed(limit ?? { ...body, cleared: true });
  });

  scope.get('/limits', async (request) => {
    const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
    await requireOrg(orgId);
    const { limits } = await store.policySettings();
    return { data: limits.filter((l) => orgId === undefined || l.orgId === orgId) };
  });

  scope.put('/quotas', async (request) => {
    const { monthlyUsd, ...body } = parseOrThrow(setQuotaBodySchema, request.body ?? {});
    const monthlyNanos = monthlyUsd === null ? null : Math.round(monthlyUsd * 1e9);
    const quota = await storeCall(() => store.setQuota({ ...body, monthlyNanos }));
    return changed(quota ?? { ...body, monthlyNanos, cleared: true });
  });

  scope.get('/quotas', async (request) => {
    const { orgId, month } = parseOrThrow(quotaQuerySchema, request.query);
    await requireOrg(orgId);
    return { data: await store.quotaStatus(orgId, month ?? monthOf(Date.now())) };
  });

  scope.put('/cache', async (request) => {
    const body = parseOrThrow(setCacheBodySchema, request.body ?? {});
    return changed(await storeCall(() => store.setCachePolicy(body)));
  });

  scope.get('/cache', async (request) => {
    const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
    await requireOrg(orgId);
    const { caches } = await store.policySettings();
    return { data: caches.filter((c) => orgId === undefined || c.orgId === orgId) };
  });

  scope.get('/audit', async (request, reply) => {
    const { format, ...filter } = parseOrThrow(auditQuerySchema, request.query);
    const entries = await storeCall(() => store.listAudit(filter));
    if (format === 'json') return { data: entries };
    return reply.type('text/csv; charset=utf-8').send(`${auditCsv(entries).join('\n')}\n`);
  });
}
