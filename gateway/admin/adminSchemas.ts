/** zod schemas of the admin HTTP API (`/admin/v1/…`): request bodies, queries and params. */
import { z } from 'zod';
import { STORE_LIMITS } from '../store/types.js';

const id = z.string().min(1).max(128);
const name = z
  .string()
  .trim()
  .max(STORE_LIMITS.nameLength)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** `POST /admin/v1/orgs` */
export const createOrgBodySchema = z.strictObject({
  name: name.min(1),
});
export type CreateOrgBody = z.infer<typeof createOrgBodySchema>;

/** `POST /admin/v1/orgs/:id/keys`; every field may be left out. */
export const createKeyBodySchema = z.strictObject({
  name: name.default(''),
  /** Requests per minute; null or absent for the gateway's default. */
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1)
    .max(STORE_LIMITS.maxRateLimitPerMinute)
    .nullable()
    .default(null),
});
export type CreateKeyBody = z.infer<typeof createKeyBodySchema>;

/** `POST /admin/v1/orgs/:id/enrollment-codes` */
export const createEnrollmentCodeBodySchema = z.strictObject({
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(STORE_LIMITS.maxEnrollmentTtlSeconds)
    .default(STORE_LIMITS.defaultEnrollmentTtlSeconds),
});
export type CreateEnrollmentCodeBody = z.infer<typeof createEnrollmentCodeBodySchema>;

/** `:id` in a route path. */
export const idParamsSchema = z.object({ id });

/** `GET /admin/v1/keys` and `GET /admin/v1/nodes` */
export const orgFilterQuerySchema = z.object({ orgId: id.optional() });

/** `GET /admin/v1/usage` */
export const usageQuerySchema = z.object({
  orgId: id.optional(),
  nodeId: id.optional(),
  limit: z.coerce.number().int().min(1).max(STORE_LIMITS.maxUsageLimit).optional(),
});
export type UsageQuery = z.infer<typeof usageQuerySchema>;

/** Most completion tokens a comparison asks each route for. */
export const MAX_COMPARE_TOKENS = 4096;

/** An ISO date (`2030-01-31`) or date-time with a zone (`2030-01-31T12:00:00Z`). */
export const isoTimeSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const modelPrice = z.strictObject({ prompt: z.number(), completion: z.number() });

/** `:name` of a provider in a route path. */
export const providerParamsSchema = z.object({ name: z.string().min(1).max(64) });

/**
 * `POST /admin/v1/providers`: the shapes here, the values (name, URL, keys, ranges) in the
 * store, so that the two cannot disagree. `models` may be a list of ids that map to
 * themselves.
 */
export const createProviderBodySchema = z.strictObject({
  name: z.string(),
  baseUrl: z.string(),
  apiKeys: z.array(z.string()),
  models: z.union([
    z.record(z.string(), z.string()),
    z.array(z.string()).transform((ids) => Object.fromEntries(ids.map((m) => [m, m]))),
  ]),
  price: modelPrice,
  cost: modelPrice.nullable().default(null),
  maxConcurrent: z.number().int().optional(),
  enabled: z.boolean().optional(),
});
export type CreateProviderBody = z.infer<typeof createProviderBodySchema>;

/** `PUT /admin/v1/routing-rules` */
export const setRoutingRuleBodySchema = z.strictObject({
  orgId: id,
  model: z.string().min(1).max(STORE_LIMITS.modelIdLength),
  strategy: z.enum(['cheapest', 'fastest', 'balanced', 'pinned']),
  routes: z.array(z.string()).nullable().default(null),
  weights: z.record(z.string(), z.number()).nullable().default(null),
  maxPrice: modelPrice.nullable().default(null),
});
export type SetRoutingRuleBody = z.infer<typeof setRoutingRuleBodySchema>;

/** `DELETE /admin/v1/routing-rules?orgId=&model=` */
export const routingRuleKeyQuerySchema = z.object({
  orgId: id,
  model: z.string().min(1).max(STORE_LIMITS.modelIdLength),
});

/** `GET /admin/v1/usage/report` */
export const usageReportQuerySchema = z.object({
  orgId: id,
  by: z.enum(['model', 'route', 'key', 'node']),
  since: isoTimeSchema.optional(),
  until: isoTimeSchema.optional(),
});

/** `POST /admin/v1/compare` */
export const compareBodySchema = z.strictObject({
  orgId: id,
  model: z.string().min(1).max(STORE_LIMITS.modelIdLength),
  prompt: z.string().min(1).max(32_000),
  maxTokens: z.number().int().min(1).max(MAX_COMPARE_TOKENS).optional(),
  apiKeyId: id.optional(),
});

/** The shape of every list the admin API answers with. */
export interface AdminList<T> {
  data: T[];
}
