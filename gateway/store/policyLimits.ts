/**
 * Rate limits and quotas in SQL. Admission counts a request in its rate window and reserves
 * its worst case against the month, per scope, with single `INSERT … ON CONFLICT DO UPDATE
 * … WHERE` statements: the row lock makes each one atomic, so concurrent requests (on one
 * instance or many) can never together pass a limit. A scope that refuses rolls back what
 * the scopes before it took.
 */
import { FieldError, int8 } from './storeRows.js';
import type { Sql, SqlDb } from './sql.js';
import {
  scopeName,
  type AdmissionClaim,
  type AdmissionOutcome,
  type AdmissionRefusal,
  type NewQuota,
  type NewRateLimit,
  type PolicyScope,
  type Quota,
  type QuotaCrossing,
  type QuotaStatus,
  type RateLimit,
  type ScopeClaim,
  type ScopeFigures,
  type Settlement,
} from './policyTypes.js';
import { UnknownOrgError } from './types.js';

type Int8 = number | bigint | string;

/** Largest limit a scope may set: requests or tokens per minute. */
export const MAX_RATE = 1_000_000_000;
/** Largest monthly quota: nano-USD (a million dollars) or tokens. */
export const MAX_QUOTA = 1e15;
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

/** Thrown inside the admission transaction to roll it back. */
class Refused extends Error {
  constructor(readonly outcome: AdmissionOutcome & { admitted: false }) {
    super('refused');
  }
}

const noFigures = (scope: string): ScopeFigures => ({
  scope,
  requests: 0,
  tokens: 0,
  spentNanos: 0,
  reservedNanos: 0,
  spentTokens: 0,
  reservedTokens: 0,
});

async function countRequest(
  tx: Sql,
  claim: ScopeClaim,
  request: AdmissionClaim,
  figures: ScopeFigures,
): Promise<void> {
  const { rows } = await tx.query<{ requests: number; tokens: Int8 }>(
    `INSERT INTO rate_windows AS w (scope, window_start, requests, tokens)
     SELECT $1, $2, 1, $3 WHERE $5::bigint IS NULL OR $3 <= $5
     ON CONFLICT (scope, window_start) DO UPDATE
       SET requests = w.requests + 1, tokens = w.tokens + EXCLUDED.tokens
       WHERE ($4::integer IS NULL OR w.requests + 1 <= $4)
         AND ($5::bigint IS NULL OR w.tokens + EXCLUDED.tokens <= $5)
     RETURNING requests, tokens`,
    [claim.scope, request.windowStart, request.tokens, claim.rpm, claim.tpm],
  );
  if (rows[0]) {
    figures.requests = rows[0].requests;
    figures.tokens = int8(rows[0].tokens);
    return;
  }
  const now = await tx.query<{ requests: number; tokens: Int8 }>(
    'SELECT requests, tokens FROM rate_windows WHERE scope = $1 AND window_start = $2',
    [claim.scope, request.windowStart],
  );
  figures.requests = now.rows[0]?.requests ?? 0;
  figures.tokens = int8(now.rows[0]?.tokens);
  const refusal: AdmissionRefusal =
    claim.rpm !== null && figures.requests + 1 > claim.rpm ? 'requests' : 'tokens';
  throw new Refused({ admitted: false, scope: claim.scope, refusal, figures });
}

async function reserveQuota(
  tx: Sql,
  claim: ScopeClaim,
  request: AdmissionClaim,
  figures: ScopeFigures,
): Promise<void> {
  const { rows } = await tx.query<MonthRow>(
    `INSERT INTO quota_months AS q (scope, month, reserved_nanos, reserved_tokens)
     SELECT $1, $2, $3, $4
     WHERE ($5::bigint IS NULL OR $3 <= $5) AND ($6::bigint IS NULL OR $4 <= $6)
     ON CONFLICT (scope, month) DO UPDATE
       SET reserved_nanos = q.reserved_nanos + EXCLUDED.reserved_nanos,
           reserved_tokens = q.reserved_tokens + EXCLUDED.reserved_tokens
       WHERE ($5::bigint IS NULL OR q.spent_nanos + q.reserved_nanos + EXCLUDED.reserved_nanos <= $5)
         AND ($6::bigint IS NULL OR q.spent_tokens + q.reserved_tokens + EXCLUDED.reserved_tokens <= $6)
     RETURNING spent_nanos, reserved_nanos, spent_tokens, reserved_tokens`,
    [
      claim.scope,
      request.month,
      request.nanos,
      request.tokens,
      claim.monthlyNanos,
      claim.monthlyTokens,
    ],
  );
  const row =
    rows[0] ??
    (
      await tx.query<MonthRow>(
        `SELECT spent_nanos, reserved_nanos, spent_tokens, reserved_tokens FROM quota_months
         WHERE scope = $1 AND month = $2`,
        [claim.scope, request.month],
      )
    ).rows[0];
  figures.spentNanos = int8(row?.spent_nanos);
  figures.reservedNanos = int8(row?.reserved_nanos);
  figures.spentTokens = int8(row?.spent_tokens);
  figures.reservedTokens = int8(row?.reserved_tokens);
  if (rows[0]) return;
  const usdFull =
    claim.monthlyNanos !== null &&
    figures.spentNanos + figures.reservedNanos + request.nanos > claim.monthlyNanos;
  const refusal: AdmissionRefusal = usdFull ? 'quota_usd' : 'quota_tokens';
  throw new Refused({ admitted: false, scope: claim.scope, refusal, figures });
}

export async function admitRequest(db: SqlDb, request: AdmissionClaim): Promise<AdmissionOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const figures: ScopeFigures[] = [];
      for (const claim of request.claims) {
        const own = noFigures(claim.scope);
        if (claim.rpm !== null || claim.tpm !== null) await countRequest(tx, claim, request, own);
        if (claim.monthlyNanos !== null || claim.monthlyTokens !== null)
          await reserveQuota(tx, claim, request, own);
        figures.push(own);
      }
      return { admitted: true, figures };
    });
  } catch (error) {
    if (error instanceof Refused) return error.outcome;
    throw error;
  }
}

/** The percent of its quota a scope has spent: the larger of USD and tokens. */
function spentPercent(
  claim: ScopeClaim,
  row: MonthRow,
): { percent: number; what: 'usd' | 'tokens' } {
  const usd = claim.monthlyNanos ? (int8(row.spent_nanos) * 100) / claim.monthlyNanos : 0;
  const tokens = claim.monthlyTokens ? (int8(row.spent_tokens) * 100) / claim.monthlyTokens : 0;
  return usd >= tokens ? { percent: usd, what: 'usd' } : { percent: tokens, what: 'tokens' };
}

export async function settleRequest(db: SqlDb, settlement: Settlement): Promise<QuotaCrossing[]> {
  return db.transaction(async (tx) => {
    const crossings: QuotaCrossing[] = [];
    for (const claim of settlement.claims) {
      if (claim.rpm !== null || claim.tpm !== null)
        await tx.query(
          `UPDATE rate_windows SET tokens = GREATEST(0, tokens + $3)
           WHERE scope = $1 AND window_start = $2`,
          [claim.scope, settlement.windowStart, settlement.tokens - settlement.reservedTokens],
        );
      if (claim.monthlyNanos === null && claim.monthlyTokens === null) continue;
      const { rows } = await tx.query<MonthRow & { warned_percent: number }>(
        `UPDATE quota_months SET
           reserved_nanos = GREATEST(0, reserved_nanos - $3),
           reserved_tokens = GREATEST(0, reserved_tokens - $4),
           spent_nanos = spent_nanos + $5, spent_tokens = spent_tokens + $6
         WHERE scope = $1 AND month = $2 RETURNING *`,
        [
          claim.scope,
          settlement.month,
          settlement.reservedNanos,
          settlement.reservedTokens,
          settlement.nanos,
          settlement.tokens,
        ],
      );
      if (!rows[0]) continue;
      const { percent, what } = spentPercent(claim, rows[0]);
      const crossed = QUOTA_THRESHOLDS.filter((t) => percent >= t).at(-1);
      if (crossed === undefined || rows[0].warned_percent >= crossed) continue;
      // Only the instance whose update moves the mark reports it.
      const marked = await tx.query(
        `UPDATE quota_months SET warned_percent = $3
         WHERE scope = $1 AND month = $2 AND warned_percent < $3 RETURNING scope`,
        [claim.scope, settlement.month, crossed],
      );
      if (marked.rows.length > 0) crossings.push({ scope: claim.scope, percent: crossed, what });
    }
    return crossings;
  });
}

export async function deleteRateWindows(db: Sql, before: Date): Promise<number> {
  const { rows } = await db.query('DELETE FROM rate_windows WHERE window_start < $1 RETURNING 1', [
    before,
  ]);
  return rows.length;
}
