/** zod schemas of the admin HTTP API (`/admin/v1/…`): request bodies, queries and params. */
import { z } from 'zod';
import { STORE_LIMITS } from '../store/types.js';

const id = z.string().min(1).max(128);
const name = z.string().trim().max(STORE_LIMITS.nameLength);

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

/** The shape of every list the admin API answers with. */
export interface AdminList<T> {
  data: T[];
}
