/** zod schemas of the admin API's policy calls: rate limits, quotas, the cache and the audit log. */
import { z } from 'zod';
import { MAX_AUDIT_LIMIT } from '../store/auditLog.js';
import { DEFAULT_CACHE_TTL_SECONDS, MAX_CACHE_TTL_SECONDS } from '../store/cachePolicies.js';
import { MAX_QUOTA, MAX_RATE } from '../store/policyLimits.js';
import { isoTimeSchema } from './adminSchemas.js';

const id = z.string().min(1).max(128);
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
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
