/**
 * Org admin keys: secrets an operator hands an organization's admins, for the console and
 * the admin API scoped to that organization. Stored only as SHA-256 hashes, like API keys.
 */
import { randomBytes } from 'node:crypto';
import type { OrgAdminKeyInfo } from '../../common/adminRecords.js';
import { randomId, sha256 } from './apiKeys.js';
import type { Sql } from './sql.js';
import { checkLabel } from './storeRows.js';
import { UnknownOrgError } from './types.js';

/** Org admin key secrets are this prefix and 32 random bytes in base64url. */
export const ORG_ADMIN_KEY_PREFIX = 'byoi-oak-';

const COLUMNS = 'id, org_id, name, created_at, revoked_at, last_used_at';

interface OrgAdminKeyRow {
  id: string;
  org_id: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const toInfo = (row: OrgAdminKeyRow): OrgAdminKeyInfo => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at?.toISOString() ?? null,
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
});

export async function insertOrgAdminKey(
  db: Sql,
  orgId: string,
  name: string,
  now: Date,
): Promise<{ key: string; info: OrgAdminKeyInfo }> {
  const label = checkLabel('org admin key name', name, true);
  const key = ORG_ADMIN_KEY_PREFIX + randomBytes(32).toString('base64url');
  const { rows } = await db.query<OrgAdminKeyRow>(
    `INSERT INTO org_admin_keys (id, org_id, name, secret_sha256, created_at)
     SELECT $1, id, $3, $4, $5 FROM orgs WHERE id = $2 RETURNING ${COLUMNS}`,
    [randomId('oak_'), orgId, label, sha256(key), now],
  );
  if (!rows[0]) throw new UnknownOrgError(orgId);
  return { key, info: toInfo(rows[0]) };
}

/** The active key with this secret (its last use stamped now), or null. */
export async function useOrgAdminKey(
  db: Sql,
  secret: string,
  now: Date,
): Promise<OrgAdminKeyInfo | null> {
  if (!secret.startsWith(ORG_ADMIN_KEY_PREFIX) || secret.length > 256) return null;
  const { rows } = await db.query<OrgAdminKeyRow>(
    `UPDATE org_admin_keys SET last_used_at = $2
     WHERE secret_sha256 = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
    [sha256(secret), now],
  );
  return rows[0] ? toInfo(rows[0]) : null;
}

/** One key by id, revoked or not, or null. */
export async function selectOrgAdminKey(db: Sql, id: string): Promise<OrgAdminKeyInfo | null> {
  const { rows } = await db.query<OrgAdminKeyRow>(
    `SELECT ${COLUMNS} FROM org_admin_keys WHERE id = $1`,
    [id],
  );
  return rows[0] ? toInfo(rows[0]) : null;
}

export async function selectOrgAdminKeys(db: Sql, orgId?: string): Promise<OrgAdminKeyInfo[]> {
  const { rows } = await db.query<OrgAdminKeyRow>(
    `SELECT ${COLUMNS} FROM org_admin_keys WHERE $1::text IS NULL OR org_id = $1
     ORDER BY created_at, id`,
    [orgId ?? null],
  );
  return rows.map(toInfo);
}

export async function revokeOrgAdminKeyRow(db: Sql, id: string, now: Date): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE org_admin_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING id`,
    [id, now],
  );
  return rows.length === 1;
}
