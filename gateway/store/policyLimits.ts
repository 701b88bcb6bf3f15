/**
 * Rate limits and quotas in SQL: their settings, and the counters that admission and
 * settlement move through `policy_admit` and `policy_settle` (policyFunctions.ts).
 */
import { MAX_QUOTA, MAX_RATE } from '../../common/adminLimits.js';
import { FieldError, int8 } from './storeRows.js';
import type { Sql, SqlDb } from './sql.js';
import {
  scopeName,
  type AdmissionClaim,
  type AdmissionOutcome,
  type NewQuota,
  type NewRateLimit,
  type PolicyScope,
  type Quota,
  type QuotaCrossing,
  type QuotaStatus,
  type RateLimit,
  type Settlement,
} from './policyTypes.js';
import { UnknownOrgError } from './types.js';

type Int8 = number | bigint | string;

/** Quota thresholds that are warned of, once a month each. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

interface LimitRow {
  scope: string;
  org_id: string;
  rpm: number | null;
  tpm: number | null;
  updated_at: Date;
}

interface QuotaRow {
  scope: string;
  org_id: string;
  monthly_nanos: Int8 | null;
  monthly_tokens: Int8 | null;
  updated_at: Date;
}

interface MonthRow {
  spent_nanos: Int8;
  reserved_nanos: Int8;
  spent_tokens: Int8;
  reserved_tokens: Int8;
}

const keyOf = (scope: string): string | null =>
  scope.startsWith('key:') ? scope.slice('key:'.length) : null;

export const toRateLimit = (row: LimitRow): RateLimit => ({
  orgId: row.org_id,
  keyId: keyOf(row.scope),
  rpm: row.rpm,
  tpm: row.tpm,
  updatedAt: row.updated_at.toISOString(),
});

const nullableInt8 = (value: Int8 | null): number | null => (value === null ? null : int8(value));

export const toQuota = (row: QuotaRow): Quota => ({
  orgId: row.org_id,
  keyId: keyOf(row.scope),
  monthlyNanos: nullableInt8(row.monthly_nanos),
  monthlyTokens: nullableInt8(row.monthly_tokens),
  updatedAt: row.updated_at.toISOString(),
});

function checkLimit(field: string, value: number | null, max: number): void {
  if (value === null) return;
  if (!Number.isSafeInteger(value) || value < 1 || value > max)
    throw new FieldError(field, `${field} must be a whole number from 1 to ${max}, got ${value}`);
}

function checkQuota(field: string, value: number | null): void {
  if (value === null) return;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_QUOTA)
    throw new FieldError(
      field,
      `${field} must be a whole number from 0 to ${MAX_QUOTA}, got ${value}`,
    );
}

/** Throws UnknownOrgError, or a FieldError for a key that is not the org's. */
async function checkScope(db: Sql, scope: PolicyScope): Promise<void> {
  const { rows } = await db.query<{ org: string | null; key_org: string | null }>(
    `SELECT (SELECT id FROM orgs WHERE id = $1) AS org,
            (SELECT org_id FROM api_keys WHERE id = $2) AS key_org`,
    [scope.orgId, scope.keyId],
  );
  if (!rows[0]?.org) throw new UnknownOrgError(scope.orgId);
  if (scope.keyId !== null && rows[0].key_org !== scope.orgId)
    throw new FieldError('keyId', `No API key '${scope.keyId}' in organization ${scope.orgId}`);
}

export async function upsertRateLimit(
  db: SqlDb,
  limit: NewRateLimit,
  now: Date,
): Promise<RateLimit | null> {
  checkLimit('rpm', limit.rpm, MAX_RATE);
  checkLimit('tpm', limit.tpm, MAX_RATE);
  return db.transaction(async (tx) => {
    await checkScope(tx, limit);
    const scope = scopeName(limit);
    // The key's own column stays what `key list` shows as its rate limit.
    if (limit.keyId !== null)
      await tx.query('UPDATE api_keys SET rate_limit_per_minute = $2 WHERE id = $1', [
        limit.keyId,
        limit.rpm,
      ]);
    if (limit.rpm === null && limit.tpm === null) {
      await tx.query('DELETE FROM rate_limits WHERE scope = $1', [scope]);
      return null;
    }
    const { rows } = await tx.query<LimitRow>(
      `INSERT INTO rate_limits (scope, org_id, rpm, tpm, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope) DO UPDATE SET rpm = $3, tpm = $4, updated_at = $5 RETURNING *`,
      [scope, limit.orgId, limit.rpm, limit.tpm, now],
    );
    return toRateLimit(rows[0]!);
  });
}

export async function upsertQuota(db: SqlDb, quota: NewQuota, now: Date): Promise<Quota | null> {
  checkQuota('monthlyNanos', quota.monthlyNanos);
  checkQuota('monthlyTokens', quota.monthlyTokens);
  return db.transaction(async (tx) => {
    await checkScope(tx, quota);
    const scope = scopeName(quota);
    if (quota.monthlyNanos === null && quota.monthlyTokens === null) {
      await tx.query('DELETE FROM quotas WHERE scope = $1', [scope]);
      return null;
    }
    const { rows } = await tx.query<QuotaRow>(
      `INSERT INTO quotas (scope, org_id, monthly_nanos, monthly_tokens, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (scope) DO UPDATE SET monthly_nanos = $3, monthly_tokens = $4, updated_at = $5
       RETURNING *`,
      [scope, quota.orgId, quota.monthlyNanos, quota.monthlyTokens, now],
    );
    return toQuota(rows[0]!);
  });
}

export async function selectLimits(db: Sql): Promise<{ limits: RateLimit[]; quotas: Quota[] }> {
  const limits = await db.query<LimitRow>('SELECT * FROM rate_limits ORDER BY org_id, scope');
  const quotas = await db.query<QuotaRow>('SELECT * FROM quotas ORDER BY org_id, scope');
  return { limits: limits.rows.map(toRateLimit), quotas: quotas.rows.map(toQuota) };
}

export async function selectQuotaStatus(
  db: Sql,
  orgId: string,
  month: string,
): Promise<QuotaStatus[]> {
  const { rows } = await db.query<QuotaRow & Partial<MonthRow>>(
    `SELECT q.*, m.spent_nanos, m.reserved_nanos, m.spent_tokens, m.reserved_tokens
     FROM quotas q LEFT JOIN quota_months m ON m.scope = q.scope AND m.month = $2
     WHERE q.org_id = $1 ORDER BY q.scope`,
    [orgId, month],
  );
  return rows.map((row) => ({
    ...toQuota(row),
    month,
    spentNanos: int8(row.spent_nanos),
    spentTokens: int8(row.spent_tokens),
    reservedNanos: int8(row.reserved_nanos),
    reservedTokens: int8(row.reserved_tokens),
  }));
}

/**
 * Admits each request in turn, in one statement (`policy_admit`, migration 5): each is
 * counted and reserved in every scope, or in none, and sees the ones before it.
 */
export async function admitRequests(
  db: Sql,
  requests: AdmissionClaim[],
): Promise<AdmissionOutcome[]> {
  const { rows } = await db.query<{ outcome: AdmissionOutcome }>(
    `SELECT policy_admit(a->'claims', (a->>'tokens')::bigint, (a->>'nanos')::bigint,
                         (a->>'windowStart')::timestamptz, a->>'month') AS outcome
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(a, n) ORDER BY n`,
    [JSON.stringify(requests)],
  );
  return rows.map((row) => row.outcome);
}

/**
 * Corrects each reservation to the real count and cost, in one statement (`policy_settle`):
 * for each, the quota thresholds it crossed, once each.
 */
export async function settleRequests(
  db: Sql,
  settlements: Settlement[],
): Promise<QuotaCrossing[][]> {
  const { rows } = await db.query<{ crossings: QuotaCrossing[] }>(
    `SELECT policy_settle(s->'claims', (s->>'windowStart')::timestamptz, s->>'month',
                          (s->>'reservedTokens')::bigint, (s->>'reservedNanos')::bigint,
                          (s->>'tokens')::bigint, (s->>'nanos')::bigint) AS crossings
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(s, n) ORDER BY n`,
    [JSON.stringify(settlements)],
  );
  return rows.map((row) => row.crossings);
}

export async function deleteRateWindows(db: Sql, before: Date): Promise<number> {
  const { rows } = await db.query('DELETE FROM rate_windows WHERE window_start < $1 RETURNING 1', [
    before,
  ]);
  return rows.length;
}
