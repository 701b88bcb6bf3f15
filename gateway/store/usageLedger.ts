/**
 * The usage ledger's queries: one row per job id, written once, with the node's credit
 * shared by its reward split. Money is integer nano-USD in BIGINT columns.
 */
import type { PGlite } from '@electric-sql/pglite';
import { sharesFor } from './nodeRewards.js';
import { checkInteger, checkUsage, toUsage, type UsageRow } from './storeRows.js';
import { STORE_LIMITS, type NewUsageRecord, type UsageRecord } from './types.js';

/**
 * Writes the record unless its job id is already there (then changes nothing and answers
 * false). Refuses a record that does not add up or whose API key is not the org's. Absent
 * request fields get their defaults: the job id as request id, no upstream cost, no
 * timings, one attempt, outcome 'ok', no routes.
 */
export async function insertUsage(db: PGlite, record: NewUsageRecord): Promise<boolean> {
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
    // Read inside the transaction, so a job is shared by the split in force when it is recorded.
    const shares = await sharesFor(tx, record.nodeId, record.creditedNanos);
    const { rows } = await tx.query(
      `INSERT INTO usage_records (job_id, org_id, api_key_id, node_id, route, model,
         prompt_tokens, completion_tokens, price_prompt, price_completion,
         charged_nanos, fee_nanos, credited_nanos, created_at,
         rewards_nanos, exchange_nanos, mission_nanos, mission_cause,
         request_id, cost_nanos, ttft_ms, latency_ms, attempts, outcome, routes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
         $19, $20, $21, $22, $23, $24, $25)
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
        shares.rewardsNanos,
        shares.exchangeNanos,
        shares.missionNanos,
        shares.missionCause,
        record.requestId ?? record.jobId,
        record.costNanos ?? 0,
        record.timeToFirstTokenMs ?? null,
        record.latencyMs ?? null,
        record.attempts ?? 1,
        record.outcome ?? 'ok',
        record.routes ?? '',
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
