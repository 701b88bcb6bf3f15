/**
 * The usage ledger's queries: one row per job id, written once, with the node's credit
 * shared by its reward split. Money is integer nano-USD in BIGINT columns.
 */
import type { Sql, SqlDb } from './sql.js';
import { sharesFor } from './nodeRewards.js';
import { checkInteger, toUsage, type UsageRow } from './storeRows.js';
import { STORE_LIMITS, type NewUsageRecord, type RewardShares, type UsageRecord } from './types.js';

const USAGE_COLUMNS = `job_id, org_id, api_key_id, node_id, route, model,
  prompt_tokens, completion_tokens, price_prompt, price_completion,
  charged_nanos, fee_nanos, credited_nanos, created_at,
  rewards_nanos, exchange_nanos, mission_nanos, mission_cause,
  request_id, cost_nanos, ttft_ms, latency_ms, attempts, outcome, routes`;
const COLUMN_COUNT = USAGE_COLUMNS.split(',').length;

/** What became of one record of a batch: written, already there (false), or refused. */
export type UsageWrite = boolean | RangeError;

/**
 * Writes records in one transaction and one INSERT (a group commit). A record whose job id
 * is already there (or earlier in the batch) changes nothing and answers false; one whose
 * API key is unknown or not the org's is refused with its own error, and the rest are
 * written. Absent request fields get their defaults: the job id as request id, no upstream
 * cost, no timings, one attempt, outcome 'ok', no routes. Each record must have passed
 * `checkUsage`.
 */
export async function insertUsageBatch(
  db: SqlDb,
  records: NewUsageRecord[],
): Promise<UsageWrite[]> {
  return db.transaction(async (tx) => {
    const keyIds = [...new Set(records.map((record) => record.apiKeyId))];
    const keys = await tx.query<{ id: string; org_id: string }>(
      'SELECT id, org_id FROM api_keys WHERE id = ANY($1::text[])',
      [keyIds],
    );
    const owners = new Map(keys.rows.map((row) => [row.id, row.org_id]));
    const results: UsageWrite[] = records.map((record) => ownerError(record, owners) ?? false);
    const values: unknown[] = [];
    const tuples: string[] = [];
    // In job id order (a stable sort keeps the first of equal ids first): two batches
    // inserting the same ids at once on PostgreSQL then wait on each other in one order,
    // never in a deadlock.
    const ordered = [...records.entries()].sort(([, a], [, b]) =>
      a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0,
    );
    for (const [index, record] of ordered) {
      if (results[index] instanceof RangeError) continue;
      // Read inside the transaction, so a job is shared by the split in force when it is recorded.
      const shares = await sharesFor(tx, record.nodeId, record.creditedNanos);
      const first = values.length;
      values.push(...usageValues(record, shares));
      tuples.push(`(${Array.from({ length: COLUMN_COUNT }, (_, i) => `$${first + i + 1}`)})`);
    }
    if (tuples.length === 0) return results;
    const { rows } = await tx.query<{ job_id: string }>(
      `INSERT INTO usage_records (${USAGE_COLUMNS}) VALUES ${tuples.join(', ')}
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
      values,
    );
    // Of records sharing a job id, the first in the batch is the one written.
    const written = new Set(rows.map((row) => row.job_id));
    return records.map((record, index) => {
      if (results[index] instanceof RangeError) return results[index];
      return written.delete(record.jobId);
    });
  });
}

function ownerError(record: NewUsageRecord, owners: Map<string, string>): RangeError | null {
  const owner = owners.get(record.apiKeyId);
  if (owner === record.orgId) return null;
  return new RangeError(
    owner === undefined
      ? `Usage for job '${record.jobId}' names an unknown API key '${record.apiKeyId}'`
      : `Usage for job '${record.jobId}': API key '${record.apiKeyId}' does not belong to org '${record.orgId}'`,
  );
}

function usageValues(record: NewUsageRecord, shares: RewardShares): unknown[] {
  return [
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
  ];
}

/** The record of one job, or null. */
export async function findUsage(db: Sql, jobId: string): Promise<UsageRecord | null> {
  const { rows } = await db.query<UsageRow>('SELECT * FROM usage_records WHERE job_id = $1', [
    jobId,
  ]);
  return rows[0] ? toUsage(rows[0]) : null;
}

/** Records newest first, by the paying org and/or the serving node. */
export async function queryUsage(
  db: Sql,
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
