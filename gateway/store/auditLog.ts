/**
 * The audit log: who changed what, the value before and after, and when. Append-only: a
 * trigger refuses UPDATE and DELETE (migration 5), so not even a bug here can rewrite it.
 */
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from '../../common/adminLimits.js';
import { checkInteger, checkLabel, int8 } from './storeRows.js';
import type { Sql } from './sql.js';
import type { AuditEntry, AuditFilter, NewAuditEntry } from './policyTypes.js';

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

export async function selectAudit(db: Sql, filter: AuditFilter): Promise<AuditEntry[]> {
  const time = (field: 'since' | 'until'): Date | null => {
    const value = filter[field];
    if (value === undefined) return null;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()))
      throw new RangeError(`${field} must be an ISO time, got '${value}'`);
    return parsed;
  };
  const since = time('since');
  const until = time('until');
  const limit = checkInteger('limit', filter.limit ?? DEFAULT_AUDIT_LIMIT, 1, MAX_AUDIT_LIMIT);
  const like = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const actor = filter.actor ? `%${like(filter.actor)}%` : null;
  const action = filter.action ? `${like(filter.action)}%` : null;
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log
     WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
       AND ($3::text IS NULL OR actor ILIKE $3) AND ($4::text IS NULL OR action LIKE $4)
     ORDER BY seq LIMIT $5`,
    [since, until, actor, action, limit],
  );
  return rows.map(toEntry);
}
