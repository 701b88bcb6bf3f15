/**
 * The admin HTTP API under `/admin/v1`: organizations, API keys, enrollment codes, nodes,
 * usage and balances; providers, routing rules, reports and live routes in
 * {@link registerRoutingRoutes}. Every call needs `Authorization: Bearer <admin token>`; errors are
 * thrown as {@link ApiError}s for the app's error handler to answer in OpenAI's shape.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ADMIN_ERROR_CODES } from '../../common/errorCodes.js';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import type { GatewayStore } from '../store/types.js';
import { GuessThrottle } from '../api/guessThrottle.js';
import { notFound, storeCall } from './adminHttpErrors.js';
import type { AdminLive } from './adminLive.js';
import { registerRoutingRoutes } from './adminRoutingRoutes.js';
import { registerPolicyRoutes } from './adminPolicyRoutes.js';
import { auditedStore } from '../policy/auditedStore.js';
import {
  createEnrollmentCodeBodySchema,
  createKeyBodySchema,
  createOrgBodySchema,
  idParamsSchema,
  orgFilterQuerySchema,
  usageQuerySchema,
} from './adminSchemas.js';

export type { AdminLive } from './adminLive.js';

/** Where the admin API lives. */
export const ADMIN_PREFIX = '/admin/v1';
/** The shortest admin token accepted: a guessable one would hand out the whole network. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

function unauthorized(message: string): ApiError {
  return new ApiError(401, message, 'invalid_request_error', ADMIN_ERROR_CODES.invalidToken);
}

/** Checks the bearer token in constant time (both sides hashed to equal lengths first). */
function checkToken(request: FastifyRequest, expected: Buffer): void {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) {
    throw unauthorized("Missing admin token: send 'Authorization: Bearer <admin token>'");
  }
  if (!timingSafeEqual(digest(match[1]!), expected)) throw unauthorized('Invalid admin token');
}

/**
 * Registers the admin API as its own plugin scope, so its token check applies to
 * `/admin/v1/…` only. `live` is the running router: its routes and comparisons, and what
 * to tell after providers or rules change. Throws at once for a token shorter than
 * {@link MIN_ADMIN_TOKEN_LENGTH}.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  plainStore: GatewayStore,
  adminToken: string,
  live: AdminLive,
): void {
  if (
    typeof adminToken !== 'string' ||
    adminToken.length < MIN_ADMIN_TOKEN_LENGTH ||
    /\s/.test(adminToken)
  ) {
    throw new RangeError(
      `The admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces`,
    );
  }
  const expected = digest(adminToken);
  // Changes are audited under the token's fingerprint, never the token itself.
  const store = auditedStore(plainStore, `admin-token:${expected.toString('hex').slice(0, 8)}`);

  /** Throws a 404 unless the org exists (for filters and reads, which the store answers empty). */
  async function requireOrg(orgId: string | undefined, param: string): Promise<void> {
    if (orgId !== undefined && !(await store.getOrg(orgId)))
      throw notFound('organization', orgId, param);
  }

  const guesses = new GuessThrottle('admin tokens');
  void app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        guesses.check(request.ip);
        try {
          checkToken(request, expected);
        } catch (error) {
          // A wrong token is a guess; a missing one is not.
          if (request.headers.authorization !== undefined) guesses.miss(request.ip);
          throw error;
        }
      });

      scope.post('/orgs', async (request, reply) => {
        const body = parseOrThrow(createOrgBodySchema, request.body ?? {});
        const org = await storeCall(() => store.createOrg(body.name));
        return reply.code(201).send(org);
      });

      scope.get('/orgs', async () => ({ data: await store.listOrgs() }));

      scope.get('/orgs/:id', async (request) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const org = await store.getOrg(id);
        if (!org) throw notFound('organization', id, 'id');
        return org;
      });

      scope.post('/orgs/:id/keys', async (request, reply) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const body = parseOrThrow(createKeyBodySchema, request.body ?? {});
        const created = await storeCall(
          () => store.createApiKey(id, body.name, body.rateLimitPerMinute),
          'id',
        );
        return reply.code(201).send(created);
      });

      scope.get('/keys', async (request) => {
        const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
        await requireOrg(orgId, 'orgId');
        return { data: await store.listApiKeys(orgId) };
      });

      scope.delete('/keys/:id', async (request) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        if (!(await store.revokeApiKey(id))) throw notFound('API key', id, 'id');
        live.apiKeyRevoked(id);
        return { id, revoked: true };
      });

      scope.post('/orgs/:id/enrollment-codes', async (request, reply) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        const body = parseOrThrow(createEnrollmentCodeBodySchema, request.body ?? {});
        const created = await storeCall(
          () => store.createEnrollmentCode(id, body.ttlSeconds),
          'id',
        );
        return reply.code(201).send({ ...created, orgId: id });
      });

      scope.get('/nodes', async (request) => {
        const { orgId } = parseOrThrow(orgFilterQuerySchema, request.query);
        await requireOrg(orgId, 'orgId');
        return { data: await store.listNodes(orgId) };
      });

      scope.delete('/nodes/:id', async (request) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        if (!(await store.revokeNode(id))) throw notFound('node', id, 'id');
        live.nodeRevoked(id);
        return { id, revoked: true };
      });

      scope.post('/nodes/:id/clear-faults', async (request) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        if (!(await store.clearNodeFaults(id))) throw notFound('node', id, 'id');
        live.nodeFaultsCleared(id);
        return { id, cleared: true };
      });

      scope.get('/usage', async (request) => {
        const query = parseOrThrow(usageQuerySchema, request.query);
        await requireOrg(query.orgId, 'orgId');
        return { data: await store.listUsage(query) };
      });

      scope.get('/orgs/:id/balance', async (request) => {
        const { id } = parseOrThrow(idParamsSchema, request.params);
        await requireOrg(id, 'id');
        return { orgId: id, ...(await store.balances(id)) };
      });

      registerRoutingRoutes(scope, store, live);
      registerPolicyRoutes(scope, store, live);
    },
    { prefix: ADMIN_PREFIX },
  );
}
