/**
 * The audit log: who changed what, the value before and after, and when. Append-only: a
 * trigger refuses UPDATE and DELETE (migration 5), so not even a bug here can rewrite it.
 */
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from '../../common/adminLimits.js';
import { checkInteger, checkLabel, int8 } from './storeRows.js';
import type { Sql } from './sql.js';
import type { AuditEntry, NewAuditEntry } from './policyTypes.js';

interface AuditRow {
  seq: number | bigint | string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  seq: int8(row.seq),
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  target: row.target,
  before: row.before ?? null,
  after: row.after ?? null,
});

/** jsonb parameters go as text: node-postgres would turn a JS array into a SQL array. */
const json = (value: unknown): string | null =>
  value === undefined || value === null ? null : JSON.stringify(value);

export async function insertAudit(db: Sql, entry: NewAuditEntry, now: Date): Promise<AuditEntry> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO audit_log (at, actor, action, target, before, after)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb) RETURNING *`,
    [
      now,
      checkLabel('actor', entry.actor, false),
      checkLabel('action', entry.action, false),
      checkLabel('target', entry.target, true),
      json(entry.before),
      json(entry.after),
    ],
  );
  return toEntry(rows[0]!);
}

export async function selectAudit(
  db: Sql,
  filter: { since?: string; limit?: number },
): Promise<AuditEntry[]> {
  const since = filter.since === undefined ? null : new Date(filter.since);
  if (since && Number.isNaN(since.getTime()))
    throw new RangeError(`since must be an ISO time, got '${filter.since}'`);
  const limit = checkInteger('limit', filter.limit ?? DEFAULT_AUDIT_LIMIT, 1, MAX_AUDIT_LIMIT);
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log WHERE $1::timestamptz IS NULL OR at >= $1 ORDER BY seq LIMIT $2`,
    [since, limit],
  );
  return rows.map(toEntry);
}
