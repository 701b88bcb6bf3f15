/**
 * The usage ledger's queries: one row per job id, written once, and the sums that make an
 * organization's balances. Money is integer nano-USD in BIGINT columns.
 */
import type { PGlite } from '@electric-sql/pglite';
import { checkInteger, checkUsage, int8, toUsage, type UsageRow } from './storeRows.js';
import { STORE_LIMITS, type Balances, type UsageRecord } from './types.js';

/**
 * Writes the record unless its job id is already there (then changes nothing and answers
 * false). Refuses a record that does not add up or whose API key is not the org's.
 */
export async function insertUsage(db: PGlite, record: UsageRecord): Promise<boolean> {
  checkUsage(record);
  return db.transaction(async (tx) => {
    const key = await tx.query<{ org_id: string }>('SELECT org_id FROM api_keys WHERE id = $1', [
      record.apiKeyId,
    ]);
    const owner = key.rows[0]?.org_id;
    if (owner !== record.orgId) {
      throw new RangeError(
        owner === undefined
          ? `Usage for job '${record.jobId}' names an unknown API key '${record.apiKeyId}'`
          : `Usage for job '${record.jobId}': API key '${record.apiKeyId}' does not belong to org '${record.orgId}'`,
      );
    }
    const { rows } = await tx.query(
      `INSERT INTO usage_records (job_id, org_id, api_key_id, node_id, route, model,
         prompt_tokens, completion_tokens, price_prompt, price_completion,
         charged_nanos, fee_nanos, credited_nanos, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
      [
        record.jobId,
        record.orgId,
        record.apiKeyId,
        record.nodeId,
        record.route,
        record.model,
        record.promptTokens,
        record.completionTokens,
        record.price.prompt,
        record.price.completion,
        record.chargedNanos,
        record.feeNanos,
        record.creditedNanos,
        new Date(record.createdAt),
      ],
    );
    return rows.length === 1;
  });
}

/** The record of one job, or null. */
export async function findUsage(db: PGlite, jobId: string): Promise<UsageRecord | null> {
  const { rows } = await db.query<UsageRow>('SELECT * FROM usage_records WHERE job_id = $1', [
    jobId,
  ]);
  return rows[0] ? toUsage(rows[0]) : null;
}

/** Records newest first, by the paying org and/or the serving node. */
export async function queryUsage(
  db: PGlite,
  filter: { orgId?: string; nodeId?: string; limit?: number },
): Promise<UsageRecord[]> {
  const { defaultUsageLimit, maxUsageLimit } = STORE_LIMITS;
  const limit = checkInteger('limit', filter.limit ?? defaultUsageLimit, 1, maxUsageLimit);
  const { rows } = await db.query<UsageRow>(
    `SELECT * FROM usage_records
     WHERE ($1::text IS NULL OR org_id = $1) AND ($2::text IS NULL OR node_id = $2)
     ORDER BY created_at DESC, job_id DESC LIMIT $3`,
    [filter.orgId ?? null, filter.nodeId ?? null, limit],
  );
  return rows.map(toUsage);
}

/** Spent: charges on the org's API keys. Earned: credits to the org's nodes. */
export async function sumBalances(db: PGlite, orgId: string): Promise<Balances> {
  const { rows } = await db.query<{ spent: number | bigint; earned: number | bigint }>(
    `SELECT
       (SELECT COALESCE(SUM(u.charged_nanos), 0)::bigint FROM usage_records u
          JOIN api_keys k ON k.id = u.api_key_id WHERE k.org_id = $1) AS spent,
       (SELECT COALESCE(SUM(u.credited_nanos), 0)::bigint FROM usage_records u
          JOIN nodes n ON n.id = u.node_id WHERE n.org_id = $1) AS earned`,
    [orgId],
  );
  return { spentNanos: int8(rows[0]?.spent), earnedNanos: int8(rows[0]?.earned) };
}
