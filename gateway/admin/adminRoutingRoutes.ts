/**
 * The admin API's routing part: providers (keys never returned, only masked), routing
 * rules, usage reports, live routes and comparisons. After every change to providers or
 * rules the live router is told, so that it reloads them.
 */
import type { FastifyInstance } from 'fastify';
import { parseOrThrow } from '../../common/openaiErrors.js';
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
} from './adminSchemas.js';
import { providerView } from './adminStore.js';

/** Registers the routing endpoints in the (token-checked) admin scope. */
export function registerRoutingRoutes(
  scope: FastifyInstance,
  store: GatewayStore,
  live: AdminLive,
): void {
  /** Throws a 404 unless the org exists (`*` allowed where it means every org). */
  async function requireOrg(orgId: string | undefined, param: string, star = false) {
    if (orgId === undefined || (star && orgId === '*')) return;
    if (!(await store.getOrg(orgId))) throw notFound('organization', orgId, param);
  }
  const view = (name: string) => async () => {
    const found = await store.getProvider(name);
    if (!found) throw notFound('provider', name, 'name', 'name');
    return providerView(found, live.keyStates(name));
  };

  scope.post('/providers', async (request, reply) => {
    const body = parseOrThrow(createProviderBodySchema, request.body ?? {});
    const added = await storeCall(() => store.addProvider(body));
    await live.providersChanged();
    return reply.code(201).send(providerView(added, live.keyStates(added.name)));
  });

  scope.get('/providers', async () => ({
    data: (await store.listProviders()).map((p) => providerView(p, live.keyStates(p.name))),
  }));

  scope.get('/providers/:name', async (request) => {
    const { name } = parseOrThrow(providerParamsSchema, request.params);
    return view(name)();
  });

  scope.delete('/providers/:name', async (request) => {
    const { name } = parseOrThrow(providerParamsSchema, request.params);
    if (!(await storeCall(() => store.removeProvider(name))))
      throw notFound('provider', name, 'name', 'name');
    await live.providersChanged();
    return { name, removed: true };
  });

  for (const action of ['enable', 'disable'] as const) {
    scope.post(`/providers/:name/${action}`, async (request) => {
      const { name } = parseOrThrow(providerParamsSchema, request.params);
      const enabled = action === 'enable';
      if (!(await store.setProviderEnabled(name, enabled)))
        throw notFound('provider', name, 'name', 'name');
      await live.providersChanged();
      return view(name)();
    });
  }

  scope.put('/routing-rules', async (request) => {
    const body = parseOrThrow(setRoutingRuleBodySchema, request.body ?? {});
    const rule = await storeCall(() => store.setRoutingRule(body));
    await live.providersChanged();
    return rule;
  });

  scope.get('/routing-rules', async (request) => {
    const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
    await requireOrg(orgId, 'orgId', true);
    return { data: await store.listRoutingRules(orgId) };
  });

  scope.delete('/routing-rules', async (request) => {
    const { orgId, model } = parseOrThrow(routingRuleKeyQuerySchema, request.query);
    if (!(await store.removeRoutingRule(orgId, model)))
      throw notFound('routing rule', `${orgId}/${model}`, 'model', 'org/model');
    await live.providersChanged();
    return { orgId, model, removed: true };
  });

  scope.get('/usage/report', async (request) => {
    const query = parseOrThrow(usageReportQuerySchema, request.query);
    return { data: await storeCall(() => store.usageReport(query)) };
  });

  scope.get('/routes', async () => ({ data: live.routes() }));

  scope.post('/compare', async (request) => {
    const body = parseOrThrow(compareBodySchema, request.body ?? {});
    await requireOrg(body.orgId, 'orgId');
    return { data: await live.compare(body) };
  });
}
