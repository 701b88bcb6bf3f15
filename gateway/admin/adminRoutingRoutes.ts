/**
 * The admin API's routing part: providers (keys never returned, only masked), routing
 * rules, usage reports, live routes and comparisons. After every change to providers or
 * rules the live router is told, so that it reloads them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import type { ContextOf } from './adminAccess.js';
import type { GatewayStore } from '../store/types.js';
import { notFound, storeCall } from './adminHttpErrors.js';
import type { AdminLive } from './adminLive.js';
import {
  compareBodySchema,
  createProviderBodySchema,
  orgFilterQuerySchema,
  providerParamsSchema,
  routingRuleKeyQuerySchema,
  setRoutingRuleBodySchema,
  usageReportQuerySchema,
} from '../../common/adminApi.js';
import { providerView } from './adminStore.js';

/** Registers the routing endpoints in the (gated) admin scope. */
export function registerRoutingRoutes(
  scope: FastifyInstance,
  ctx: ContextOf,
  live: AdminLive,
): void {
  /** Throws a 404 unless the org exists (`*` allowed where it means every org). */
  async function requireOrg(
    store: GatewayStore,
    orgId: string | undefined,
    param: string,
    star = false,
  ) {
    if (orgId === undefined || (star && orgId === '*')) return;
    if (!(await store.getOrg(orgId))) throw notFound('organization', orgId, param);
  }
  const view = async (store: GatewayStore, name: string) => {
    const found = await store.getProvider(name);
    if (!found) throw notFound('provider', name, 'name', 'name');
    return providerView(found, live.keyStates(name));
  };
  /** Providers serve the whole network: only its operator adds or changes them. */
  const operator = (request: FastifyRequest) => {
    const context = ctx(request);
    context.scope.operatorOnly('change providers');
    return context.store;
  };

  scope.post('/providers', async (request, reply) => {
    const store = operator(request);
    const body = parseOrThrow(createProviderBodySchema, request.body ?? {});
    const added = await storeCall(() => store.addProvider(body));
    await live.providersChanged();
    return reply.code(201).send(providerView(added, live.keyStates(added.name)));
  });

  scope.put('/providers/:name', async (request) => {
    const store = operator(request);
    const { name } = parseOrThrow(providerParamsSchema, request.params);
    const body = parseOrThrow(createProviderBodySchema, request.body ?? {});
    if (body.name !== name)
      throw ApiError.invalidRequest(
        `The body names provider '${body.name}', the URL '${name}'`,
        'name',
      );
    const stored = await store.getProvider(name);
    if (!stored) throw notFound('provider', name, 'name', 'name');
    // The admin API never shows keys, so an edit may leave them out: no keys keeps the stored ones.
    const apiKeys = body.apiKeys.length === 0 ? stored.apiKeys : body.apiKeys;
    const saved = await storeCall(() => store.upsertProvider({ ...body, apiKeys }));
    await live.providersChanged();
    return providerView(saved, live.keyStates(name));
  });

  scope.get('/providers', async (request) => ({
    data: (await ctx(request).store.listProviders()).map((p) =>
      providerView(p, live.keyStates(p.name)),
    ),
  }));

  scope.get('/providers/:name', async (request) => {
    const { name } = parseOrThrow(providerParamsSchema, request.params);
    return view(ctx(request).store, name);
  });

  scope.delete('/providers/:name', async (request) => {
    const store = operator(request);
    const { name } = parseOrThrow(providerParamsSchema, request.params);
    if (!(await storeCall(() => store.removeProvider(name))))
      throw notFound('provider', name, 'name', 'name');
    await live.providersChanged();
    return { name, removed: true };
  });

  for (const action of ['enable', 'disable'] as const) {
    scope.post(`/providers/:name/${action}`, async (request) => {
      const store = operator(request);
      const { name } = parseOrThrow(providerParamsSchema, request.params);
      const enabled = action === 'enable';
      if (!(await store.setProviderEnabled(name, enabled)))
        throw notFound('provider', name, 'name', 'name');
      await live.providersChanged();
      return view(store, name);
    });
  }

  scope.put('/routing-rules', async (request) => {
    const { store, scope: access } = ctx(request);
    const body = parseOrThrow(setRoutingRuleBodySchema, request.body ?? {});
    // `*` (every org) is the operator's.
    if (body.orgId === '*') access.operatorOnly('set rules for every organization');
    else access.requiredOrg(body.orgId);
    const rule = await storeCall(() => store.setRoutingRule(body));
    await live.providersChanged();
    return rule;
  });

  scope.get('/routing-rules', async (request) => {
    const { store, scope: access } = ctx(request);
    const query = parseOrThrow(orgFilterQuerySchema, request.query);
    const own = access.ownOrg;
    if (own !== null) {
      access.org(query.orgId);
      // An org admin sees its own rules and the network-wide ones that apply to it.
      const rules = await store.listRoutingRules();
      return { data: rules.filter((rule) => rule.orgId === own || rule.orgId === '*') };
    }
    await requireOrg(store, query.orgId, 'orgId', true);
    return { data: await store.listRoutingRules(query.orgId) };
  });

  scope.delete('/routing-rules', async (request) => {
    const { store, scope: access } = ctx(request);
    const { orgId, model } = parseOrThrow(routingRuleKeyQuerySchema, request.query);
    if (orgId === '*') access.operatorOnly('remove rules for every organization');
    else access.requiredOrg(orgId);
    if (!(await store.removeRoutingRule(orgId, model)))
      throw notFound('routing rule', `${orgId}/${model}`, 'model', 'org/model');
    await live.providersChanged();
    return { orgId, model, removed: true };
  });

  scope.get('/usage/report', async (request) => {
    const { store, scope: access } = ctx(request);
    const query = parseOrThrow(usageReportQuerySchema, request.query);
    const orgId = access.requiredOrg(query.orgId);
    return { data: await storeCall(() => store.usageReport({ ...query, orgId })) };
  });

  scope.get('/routes', async () => ({ data: live.routes() }));

  scope.post('/compare', async (request) => {
    const { store, scope: access } = ctx(request);
    const body = parseOrThrow(compareBodySchema, request.body ?? {});
    access.requiredOrg(body.orgId);
    await requireOrg(store, body.orgId, 'orgId');
    if (body.apiKeyId !== undefined) {
      const keys = await store.listApiKeys(body.orgId);
      access.owns(
        keys.find((key) => key.id === body.apiKeyId),
        'API key',
        body.apiKeyId,
      );
    }
    return { data: await live.compare(body) };
  });
}
