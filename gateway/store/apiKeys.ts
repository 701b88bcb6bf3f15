/**
 * API keys and enrollment codes: secrets handed out once and stored only as SHA-256 hashes.
 * INSERT … SELECT FROM orgs writes nothing for an unknown org, with no race against a check.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from './sql.js';
import { checkInteger, checkLabel, KEY_COLUMNS, toApiKey, type ApiKeyRow } from './storeRows.js';
import { STORE_LIMITS as LIMITS, UnknownOrgError, type ApiKeyInfo } from './types.js';

/** API key secrets are this prefix and 32 random bytes in base64url. */
export const API_KEY_PREFIX = 'byoi-sk-';
/** Enrollment codes are this prefix and 18 random bytes in base64url. */
export const ENROLLMENT_CODE_PREFIX = 'byoi-enroll-';

export const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const randomId = (prefix: string): string => prefix + randomBytes(12).toString('base64url');

export async function insertApiKey(
  db: Sql,
  orgId: string,
  name: string,
  rateLimitPerMinute: number | null,
  now: Date,
): Promise<{ key: string; info: ApiKeyInfo }> {
  const label = checkLabel('API key name', name, true);
  if (rateLimitPerMinute !== null)
    checkInteger('rateLimitPerMinute', rateLimitPerMinute, 1, LIMITS.maxRateLimitPerMinute);
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, org_id, name, secret_sha256, rate_limit_per_minute, created_at)
     SELECT $1, id, $3, $4, $5, $6 FROM orgs WHERE id = $2 RETURNING ${KEY_COLUMNS}`,
    [randomId('key_'), orgId, label, sha256(key), rateLimitPerMinute, now],
  );
  if (!rows[0]) throw new UnknownOrgError(orgId);
  return { key, info: toApiKey(rows[0]) };
}

/** The active key with this secret, or null. */
export async function findApiKey(db: Sql, secret: string): Promise<ApiKeyInfo | null> {
  if (typeof secret !== 'string' || !secret.startsWith(API_KEY_PREFIX) || secret.length > 256) {
    return null;
  }
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL`,
    [sha256(secret)],
  );
  return rows[0] ? toApiKey(rows[0]) : null;
}

export async function selectApiKeys(db: Sql, orgId?: string): Promise<ApiKeyInfo[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE $1::text IS NULL OR org_id = $1
     ORDER BY created_at, id`,
    [orgId ?? null],
  );
  return rows.map(toApiKey);
}

export async function insertEnrollmentCode(
  db: Sql,
  orgId: string,
  ttlSeconds: number,
  now: Date,
): Promise<{ code: string; expiresAt: string }> {
  checkInteger('ttlSeconds', ttlSeconds, 1, LIMITS.maxEnrollmentTtlSeconds);
  const code = ENROLLMENT_CODE_PREFIX + randomBytes(18).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const { rows } = await db.query(
    `INSERT INTO enrollment_codes (code_sha256, org_id, created_at, expires_at)
     SELECT $1, id, $3, $4 FROM orgs WHERE id = $2 RETURNING code_sha256`,
    [sha256(code), orgId, now, expiresAt],
  );
  if (!rows[0]) throw new UnknownOrgError(orgId);
  return { code, expiresAt: expiresAt.toISOString() };
}

/** One key by id, revoked or not, or null. */
export async function selectApiKey(db: Sql, id: string): Promise<ApiKeyInfo | null> {
  const { rows } = await db.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE id = $1`, [
    id,
  ]);
  return rows[0] ? toApiKey(rows[0]) : null;
}
