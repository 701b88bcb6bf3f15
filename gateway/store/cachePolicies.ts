/** Each organization's response-cache policy (off unless a row says otherwise). */
import { MAX_CACHE_TTL_SECONDS } from '../../common/adminLimits.js';
import { checkInteger } from './storeRows.js';
import type { Sql } from './sql.js';
import type { CachePolicy, NewCachePolicy } from './policyTypes.js';
import { UnknownOrgError } from './types.js';

interface CachePolicyRow {
  org_id: string;
  enabled: boolean;
  ttl_seconds: number;
  charge: 'full' | 'none';
  updated_at: Date;
}

const toCachePolicy = (row: CachePolicyRow): CachePolicy => ({
  orgId: row.org_id,
  enabled: row.enabled,
  ttlSeconds: row.ttl_seconds,
  charge: row.charge,
  updatedAt: row.updated_at.toISOString(),
});

export async function upsertCachePolicy(
  db: Sql,
  policy: NewCachePolicy,
  now: Date,
): Promise<CachePolicy> {
  if (typeof policy.enabled !== 'boolean') throw new RangeError('enabled must be true or false');
  checkInteger('ttlSeconds', policy.ttlSeconds, 1, MAX_CACHE_TTL_SECONDS);
  if (policy.charge !== 'full' && policy.charge !== 'none')
    throw new RangeError(`charge must be full or none, got ${String(policy.charge)}`);
  const { rows } = await db.query<CachePolicyRow>(
    `INSERT INTO cache_policies (org_id, enabled, ttl_seconds, charge, updated_at)
     SELECT id, $2, $3, $4, $5 FROM orgs WHERE id = $1
     ON CONFLICT (org_id) DO UPDATE SET enabled = $2, ttl_seconds = $3, charge = $4, updated_at = $5
     RETURNING *`,
    [policy.orgId, policy.enabled, policy.ttlSeconds, policy.charge, now],
  );
  if (!rows[0]) throw new UnknownOrgError(policy.orgId);
  return toCachePolicy(rows[0]);
}

export async function selectCachePolicies(db: Sql): Promise<CachePolicy[]> {
  const { rows } = await db.query<CachePolicyRow>('SELECT * FROM cache_policies ORDER BY org_id');
  return rows.map(toCachePolicy);
}
