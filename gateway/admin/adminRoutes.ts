/**
 * The admin HTTP API under `/admin/v1`: organizations, API keys, enrollment codes, nodes,
 * usage and balances; providers, routing rules, reports and live routes in
 * {@link registerRoutingRoutes}. Every call needs the admin token, an org admin key (both as
 * `Authorization: Bearer …`) or a console session ({@link AdminGate}); errors are
 * thrown as {@link ApiError}s for the app's error handler to answer in OpenAI's shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import type { GatewayStore } from '../store/types.js';
import { GuessThrottle } from '../api/guessThrottle.js';
import { notFound, storeCall } from './adminHttpErrors.js';
import type { AdminLive } from './adminLive.js';
import { registerRoutingRoutes } from './adminRoutingRoutes.js';
import { registerPolicyRoutes } from './adminPolicyRoutes.js';
import { auditedStore } from '../policy/auditedStore.js';
import { AdminGate, AdminScope, type AdminContext } from './adminAccess.js';
import { ConsoleSessions } from '../console/consoleSessions.js';
import {
  createAdminKeyBodySchema,
  createEnrollmentCodeBodySchema,
  dailyUsageQuerySchema,
  createKeyBodySchema,
  createOrgBodySchema,
  idParamsSchema,
  orgFilterQuerySchema,
  playgroundTokenBodySchema,
  usageQuerySchema,
} from '../../common/adminApi.js';

export type { AdminLive } from './adminLive.js';

/** Where the admin API lives. */
export const ADMIN_PREFIX = '/admin/v1';
export { MIN_ADMIN_TOKEN_LENGTH } from './adminAccess.js';

export function registerAdminRoutes(
  app: FastifyInstance,
  plainStore: GatewayStore,
  adminToken: string,
  live: AdminLive,
  sessions: ConsoleSessions = new ConsoleSessions(adminToken),
): AdminGate {
  const gate = new AdminGate(plainStore, adminToken, sessions);
  const contexts = new WeakMap<FastifyRequest, AdminContext>();
  const ctx = (request: FastifyRequest): AdminContext => {
    const found = contexts.get(request);
    if (!found) throw new Error('admin route reached without the gate');
    return found;
  };

  /** Throws a 404 unless the org exists (for filters and reads, which the store answers empty). */
  async function requireOrg(store: GatewayStore, orgId: string | undefined, param: string) {
    if (orgId !== undefined && !(await store.getOrg(orgId)))
      throw notFound('organization', orgId, param);
  }

  const guesses = new GuessThrottle('admin tokens');
  void app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        guesses.check(request.ip);
        try {
          const caller = await gate.identify(request);
          contexts.set(request, {
            store: auditedStore(plainStore, caller.actor),
            scope: new AdminScope(caller),
          });
        } catch (error) {
          // A wrong token is a guess; a missing one is not.
          if (request.headers.authorization !== undefined) guesses.miss(request.ip);
          throw error;
        }
      });

      scope.post('/orgs', async (request, reply) => {
        const { store, scope: access } = ctx(request);
        access.operatorOnly('create organizations');
        const body = parseOrThrow(createOrgBodySchema, request.body ?? {});
        const org = await storeCall(() => store.createOrg(body.name));
        return reply.code(201).send(org);
      });

      scope.get('/orgs', async (request) => {
        const { store, scope: access } = ctx(request);
        const own = access.ownOrg;
        return { data: (await store.listOrgs()).filter((org) => own === null || org.id === own) };
      });

      scope.get('/orgs/:id', async (request) => {
        const { store, scope: access } = ctx(request);
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const org = await store.getOrg(access.requiredOrg(id, 'id'));
        if (!org) throw notFound('organization', id, 'id');
        return org;
      });

      scope.post('/orgs/:id/admin-keys', async (request, reply) => {
        const { store, scope: access } = ctx(request);
        access.operatorOnly('create org admin keys');
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const body = parseOrThrow(createAdminKeyBodySchema, request.body ?? {});
        const created = await storeCall(() => store.createOrgAdminKey(id, body.name), 'id');
        return reply.code(201).send(created);
      });

      scope.get('/admin-keys', async (request) => {
        const { store, scope: access } = ctx(request);
        access.operatorOnly('list org admin keys');
        const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
        await requireOrg(store, orgId, 'orgId');
        return { data: await store.listOrgAdminKeys(orgId) };
      });

      scope.delete('/admin-keys/:id', async (request) => {
        const { store, scope: access } = ctx(request);
        access.operatorOnly('revoke org admin keys');
        const { id } = parseOrThrow(idParamsSchema, request.params);
        if (!(await store.revokeOrgAdminKey(id))) throw notFound('org admin key', id, 'id');
        return { id, revoked: true };
      });

      scope.post('/orgs/:id/keys', async (request, reply) => {
        const { store, scope: access } = ctx(request);
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const body = parseOrThrow(createKeyBodySchema, request.body ?? {});
        const orgId = access.requiredOrg(id, 'id');
        const created = await storeCall(
          () => store.createApiKey(orgId, body.name, body.rateLimitPerMinute),
          'id',
        );
        return reply.code(201).send(created);
      });

      scope.get('/keys', async (request) => {
        const { store, scope: access } = ctx(request);
        const orgId = access.org(parseOrThrow(orgFilterQuerySchema, request.query).orgId);
        await requireOrg(store, orgId, 'orgId');
        return { data: await store.listApiKeys(orgId) };
      });

      scope.delete('/keys/:id', async (request) => {
        const { store, scope: access } = ctx(request);
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const keys = await store.listApiKeys(access.ownOrg ?? undefined);
        access.owns(
          keys.find((key) => key.id === id),
          'API key',
          id,
        );
        if (!(await store.revokeApiKey(id))) throw notFound('API key', id, 'id');
        live.apiKeyRevoked(id);
        return { id, revoked: true };
      });

      scope.post('/orgs/:id/enrollment-codes', async (request, reply) => {
        const { store, scope: access } = ctx(request);
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const body = parseOrThrow(createEnrollmentCodeBodySchema, request.body ?? {});
        const orgId = access.requiredOrg(id, 'id');
        const created = await storeCall(
          () => store.createEnrollmentCode(orgId, body.ttlSeconds),
          'id',
        );
        // The gateway as the caller reached it: the address its nodes will reach it at, too.
        const command = `byoi-node enroll --gateway http://${request.headers.host ?? '127.0.0.1'} --code ${created.code}`;
        return reply.code(201).send({ ...created, orgId, command });
      });

      scope.get('/nodes', async (request) => {
        const { store, scope: access } = ctx(request);
        const orgId = access.org(parseOrThrow(orgFilterQuerySchema, request.query).orgId);
        await requireOrg(store, orgId, 'orgId');
        return { data: await store.listNodes(orgId) };
      });

      scope.get('/fleet', async (request) => {
        const { store, scope: access } = ctx(request);
        const orgId = access.org(parseOrThrow(orgFilterQuerySchema, request.query).orgId);
        await requireOrg(store, orgId, 'orgId');
        return { data: await live.fleet(await store.listNodes(orgId)) };
      });

      const ownNode = async (request: FastifyRequest): Promise<string> => {
        const { store, scope: access } = ctx(request);
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const nodes = await store.listNodes(access.ownOrg ?? undefined);
        access.owns(
          nodes.find((node) => node.id === id),
          'node',
          id,
        );
        return id;
      };

      scope.delete('/nodes/:id', async (request) => {
        const id = await ownNode(request);
        if (!(await ctx(request).store.revokeNode(id))) throw notFound('node', id, 'id');
        live.nodeRevoked(id);
        return { id, revoked: true };
      });

      scope.post('/nodes/:id/clear-faults', async (request) => {
        const id = await ownNode(request);
        if (!(await ctx(request).store.clearNodeFaults(id))) throw notFound('node', id, 'id');
        live.nodeFaultsCleared(id);
        return { id, cleared: true };
      });

      scope.get('/usage', async (request) => {
        const { store, scope: access } = ctx(request);
        const query = parseOrThrow(usageQuerySchema, request.query);
        const orgId = access.org(query.orgId);
        await requireOrg(store, orgId, 'orgId');
        return { data: await store.listUsage({ ...query, orgId }) };
      });

      scope.get('/usage/daily', async (request) => {
        const { store, scope: access } = ctx(request);
        const query = parseOrThrow(dailyUsageQuerySchema, request.query);
        const orgId = access.requiredOrg(query.orgId);
        await requireOrg(store, orgId, 'orgId');
        return { data: await store.usageDaily(orgId, query.days) };
      });

      scope.post('/playground/token', async (request) => {
        const { store, scope: access } = ctx(request);
        const body = parseOrThrow(playgroundTokenBodySchema, request.body ?? {});
        const orgId = access.requiredOrg(body.orgId);
        await requireOrg(store, orgId, 'orgId');
        const active = (await store.listApiKeys(orgId)).filter((key) => key.revokedAt === null);
        const key =
          body.apiKeyId === undefined ? active[0] : active.find((k) => k.id === body.apiKeyId);
        if (!key) {
          if (body.apiKeyId !== undefined)
            throw notFound('active API key', body.apiKeyId, 'apiKeyId');
          throw ApiError.invalidRequest(
            'The playground bills an API key of the organization: create one first',
            'apiKeyId',
            'no_api_key',
          );
        }
        return { ...sessions.playgroundToken(key.id), apiKeyId: key.id };
      });

      scope.get('/orgs/:id/balance', async (request) => {
        const { store, scope: access } = ctx(request);
        const id = access.requiredOrg(parseOrThrow(idParamsSchema, request.params).id, 'id');
        await requireOrg(store, id, 'id');
        return { orgId: id, ...(await store.balances(id)) };
      });

      registerRoutingRoutes(scope, ctx, live);
      registerPolicyRoutes(scope, ctx, live);
    },
    { prefix: ADMIN_PREFIX },
  );
  return gate;
}
