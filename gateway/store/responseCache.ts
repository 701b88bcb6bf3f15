/**
 * The response cache in the database, shared by every gateway instance on it: one row per
 * organization and request key, with a TTL, a size cap per entry and per organization, and
 * least-recently-hit eviction. Written against {@link Sql}, so PGlite and PostgreSQL alike:
 * jsonb goes in as JSON text, times as ISO text, sums are compared in SQL (int8 may come
 * back as a string).
 */
import type { Sql } from './sql.js';

/** How large the cache may grow. */
export interface CacheLimits {
  /** An entry's body larger than this (bytes of its JSON) is not stored. */
  maxEntryBytes: number;
  /** The most bytes of entries one organization keeps; the least recently hit go first. */
  maxOrgBytes: number;
}

/** Defaults: 256 KiB an entry, 64 MiB an organization. */
export const DEFAULT_CACHE_LIMITS: Readonly<CacheLimits> = Object.freeze({
  maxEntryBytes: 256 * 1024,
  maxOrgBytes: 64 * 1024 * 1024,
});

/** A hit: the key that matched and the body stored under it. */
export interface CacheHit {
  key: string;
  body: unknown;
}

/**
 * The first unexpired entry among `keys`, in their order, of `orgId`; its `last_hit_at`
 * becomes `now`. Null when none is cached.
 */
export async function findCached(
  db: Sql,
  orgId: string,
  keys: readonly string[],
  now: Date,
): Promise<CacheHit | null> {
  if (keys.length === 0) return null;
  const { rows } = await db.query<{ key_sha256: string; body: unknown }>(
    `SELECT key_sha256, body FROM response_cache
      WHERE org_id = $1 AND expires_at > $2::timestamptz
        AND key_sha256 IN (SELECT jsonb_array_elements_text($3::jsonb))`,
    [orgId, now.toISOString(), JSON.stringify(keys)],
  );
  if (rows.length === 0) return null;
  const byKey = new Map(rows.map((row) => [row.key_sha256, row.body]));
  const key = keys.find((candidate) => byKey.has(candidate));
  if (key === undefined) return null;
  await db.query(
    `UPDATE response_cache SET last_hit_at = greatest(last_hit_at, $3::timestamptz)
      WHERE org_id = $1 AND key_sha256 = $2`,
    [orgId, key, now.toISOString()],
  );
  return { key, body: byKey.get(key) };
}

/**
 * Stores `body` under `key` for `ttlSeconds` (replacing an entry already there), then drops
 * the organization's expired entries and, beyond `limits.maxOrgBytes`, its least recently
 * hit ones (never the one just stored). Returns false, storing nothing, for a body over
 * `limits.maxEntryBytes` (or over the organization's whole cap).
 */
export async function storeCached(
  db: Sql,
  orgId: string,
  key: string,
  body: unknown,
  ttlSeconds: number,
  now: Date,
  limits: CacheLimits = DEFAULT_CACHE_LIMITS,
): Promise<boolean> {
  if (!(ttlSeconds > 0)) return false;
  const json = JSON.stringify(body);
  const bytes = Buffer.byteLength(json);
  if (bytes > limits.maxEntryBytes || bytes > limits.maxOrgBytes) return false;
  const at = now.toISOString();
  const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await db.query(
    `INSERT INTO response_cache
        (org_id, key_sha256, body, bytes, created_at, expires_at, last_hit_at)
      VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz, $6::timestamptz, $5::timestamptz)
      ON CONFLICT (org_id, key_sha256) DO UPDATE SET
        body = excluded.body, bytes = excluded.bytes, created_at = excluded.created_at,
        expires_at = excluded.expires_at, last_hit_at = excluded.last_hit_at`,
    [orgId, key, json, bytes, at, expires],
  );
  await db.query(`DELETE FROM response_cache WHERE org_id = $1 AND expires_at <= $2::timestamptz`, [
    orgId,
    at,
  ]);
  // Newest first, the entry just stored before any other: what lies past the cap goes.
  await db.query(
    `DELETE FROM response_cache WHERE org_id = $1 AND key_sha256 IN (
        SELECT key_sha256 FROM (
          SELECT key_sha256, sum(bytes) OVER (
              ORDER BY (key_sha256 = $2) DESC, last_hit_at DESC, created_at DESC, key_sha256
            ) AS running
            FROM response_cache WHERE org_id = $1
        ) ranked
        WHERE running > $3::bigint
      )`,
    [orgId, key, limits.maxOrgBytes],
  );
  return true;
}

/** What an organization's cache holds now (expired entries not yet dropped included). */
export async function cacheUsage(
  db: Sql,
  orgId: string,
): Promise<{ entries: number; bytes: number }> {
  const { rows } = await db.query<{ entries: number | string; bytes: number | string | null }>(
    'SELECT count(*) AS entries, sum(bytes) AS bytes FROM response_cache WHERE org_id = $1',
    [orgId],
  );
  return { entries: Number(rows[0]?.entries ?? 0), bytes: Number(rows[0]?.bytes ?? 0) };
}

/** Drops every organization's expired entries (a periodic sweep); returns how many. */
export async function purgeExpiredCached(db: Sql, now: Date): Promise<number> {
  const { rows } = await db.query<{ key_sha256: string }>(
    'DELETE FROM response_cache WHERE expires_at <= $1::timestamptz RETURNING key_sha256',
    [now.toISOString()],
  );
  return rows.length;
}
