/**
 * The gateway admin API's contract (`/admin/v1/…`): zod schemas of request bodies, queries
 * and params. The gateway parses with them; the CLI and the console send what they describe.
 * What it answers with is in adminRecords.ts.
 */
import { z } from 'zod';
import {
  DEFAULT_CACHE_TTL_SECONDS,
  MAX_AUDIT_LIMIT,
  MAX_CACHE_TTL_SECONDS,
  MAX_QUOTA,
  MAX_RATE,
  STORE_LIMITS,
} from './adminLimits.js';

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
  /** Route ids (`GET /admin/v1/routes`) to compare; every route serving the model when absent. */
  routes: z.array(z.string().min(1).max(200)).min(1).max(64).optional(),
});

const rate = z.number().int().min(1).max(MAX_RATE).nullable();

/** The most a monthly spend quota may be, USD. */
export const MAX_QUOTA_USD = MAX_QUOTA / 1e9;

/** `PUT /admin/v1/limits`: null (or absent) clears that limit; both null clear the scope's. */
export const setLimitBodySchema = z.strictObject({
  orgId: id,
  keyId: id.nullable().default(null),
  rpm: rate.default(null),
  tpm: rate.default(null),
});

/** `PUT /admin/v1/quotas` */
export const setQuotaBodySchema = z.strictObject({
  orgId: id,
  keyId: id.nullable().default(null),
  monthlyUsd: z.number().min(0).max(MAX_QUOTA_USD).nullable().default(null),
  monthlyTokens: z.number().int().min(0).max(MAX_QUOTA).nullable().default(null),
});

/** `GET /admin/v1/quotas?orgId=` */
export const quotaQuerySchema = z.object({
  orgId: id,
  /** `YYYY-MM` (UTC); this month by default. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-12')
    .optional(),
});

/** `PUT /admin/v1/cache` */
export const setCacheBodySchema = z.strictObject({
  orgId: id,
  enabled: z.boolean(),
  ttlSeconds: z.number().int().min(1).max(MAX_CACHE_TTL_SECONDS).default(DEFAULT_CACHE_TTL_SECONDS),
  charge: z.enum(['full', 'none']).default('full'),
});

/** `GET /admin/v1/audit` */
export const auditQuerySchema = z.object({
  since: isoTimeSchema.optional(),
  /** Entries before this time. */
  until: isoTimeSchema.optional(),
  /** Entries by actors whose name contains this (case-insensitive). */
  actor: z.string().min(1).max(STORE_LIMITS.nameLength).optional(),
  /** Entries whose action starts with this, e.g. `quota.` or `limits.set`. */
  action: z.string().min(1).max(STORE_LIMITS.nameLength).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

/** `POST /admin/v1/orgs/:id/admin-keys` */
export const createAdminKeyBodySchema = z.strictObject({
  name: name.default(''),
});

/** Most days `GET /admin/v1/usage/daily` covers. */
export const MAX_USAGE_DAYS = 366;

/** `GET /admin/v1/usage/daily` */
export const dailyUsageQuerySchema = z.object({
  orgId: id,
  days: z.coerce.number().int().min(1).max(MAX_USAGE_DAYS).default(30),
});

/** `POST /console/api/session` */
export const signInBodySchema = z.strictObject({
  secret: z.string().min(1).max(256),
});

/** `POST /admin/v1/playground/token` */
export const playgroundTokenBodySchema = z.strictObject({
  orgId: id,
  apiKeyId: id.optional(),
});
