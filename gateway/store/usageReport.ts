/**
 * An organization's usage grouped by model, route, API key or node: requests (a continued
 * stream counts once), errors, tokens, money, and medians and 95th percentiles of the
 * timings, computed by Postgres' `percentile_cont` over the rows that have them.
 */
import type { DailyUsageRow } from '../../common/adminRecords.js';
import type { Sql } from './sql.js';
import { FieldError, int8 } from './storeRows.js';
import {
  UnknownOrgError,
  type UsageGroupBy,
  type UsageReportQuery,
  type UsageReportRow,
} from './types.js';

/** The column each grouping reads; fixed strings, never built from input. */
const GROUP_COLUMN: Record<UsageGroupBy, string> = {
  model: 'model',
  route: 'route',
  key: 'api_key_id',
  node: "COALESCE(node_id, '-')",
};

/** Every grouping `usageReport` knows. */
export const USAGE_GROUPINGS = Object.keys(GROUP_COLUMN) as UsageGroupBy[];

type Int8 = number | bigint | string;

interface ReportRow {
  grp: string;
  requests: number;
  errors: number;
  prompt_tokens: Int8;
  completion_tokens: Int8;
  cost_nanos: Int8;
  upstream_cost_nanos: Int8;
  ttft: (number | null)[] | null;
  latency: (number | null)[] | null;
}

function checkTime(field: 'since' | 'until', value: string | undefined): Date | null {
  if (value === undefined) return null;
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) {
    throw new FieldError(
      field,
      `${field} must be an ISO time such as 2030-01-31T00:00:00Z, got '${String(value)}'`,
    );
  }
  return new Date(time);
}

/** Groups the org's usage rows; throws {@link UnknownOrgError} for an unknown org. */
export async function queryUsageReport(
  db: Sql,
  query: UsageReportQuery,
): Promise<UsageReportRow[]> {
  const column = Object.hasOwn(GROUP_COLUMN, query.by) ? GROUP_COLUMN[query.by] : undefined;
  if (!column) {
    throw new FieldError(
      'by',
      `by must be one of ${USAGE_GROUPINGS.join(', ')}; got '${String(query.by)}'`,
    );
  }
  const since = checkTime('since', query.since);
  const until = checkTime('until', query.until);
  if (since && until && since.getTime() > until.getTime())
    throw new FieldError('since', 'since must not be after until');
  const org = await db.query('SELECT id FROM orgs WHERE id = $1', [query.orgId]);
  if (org.rows.length === 0) throw new UnknownOrgError(query.orgId);
  const { rows } = await db.query<ReportRow>(
    `SELECT ${column} AS grp,
       count(DISTINCT request_id)::integer AS requests,
       (count(DISTINCT request_id) FILTER (WHERE outcome = 'error'))::integer AS errors,
       COALESCE(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
       COALESCE(sum(completion_tokens), 0)::bigint AS completion_tokens,
       COALESCE(sum(charged_nanos), 0)::bigint AS cost_nanos,
       COALESCE(sum(cost_nanos), 0)::bigint AS upstream_cost_nanos,
       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ttft_ms) AS ttft,
       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY latency_ms) AS latency
     FROM usage_records
     WHERE org_id = $1
       AND ($2::timestamptz IS NULL OR created_at >= $2)
       AND ($3::timestamptz IS NULL OR created_at < $3)
     GROUP BY 1 ORDER BY 1`,
    [query.orgId, since, until],
  );
  return rows.map((row) => ({
    group: row.grp,
    requests: row.requests,
    errors: row.errors,
    promptTokens: int8(row.prompt_tokens),
    completionTokens: int8(row.completion_tokens),
    costNanos: int8(row.cost_nanos),
    upstreamCostNanos: int8(row.upstream_cost_nanos),
    ttftP50Ms: row.ttft?.[0] ?? null,
    ttftP95Ms: row.ttft?.[1] ?? null,
    latencyP50Ms: row.latency?.[0] ?? null,
    latencyP95Ms: row.latency?.[1] ?? null,
  }));
}

interface DailyRow {
  day: string;
  requests: number;
  errors: number;
  prompt_tokens: Int8;
  completion_tokens: Int8;
  cost_nanos: Int8;
}

/**
 * The org's usage per UTC day over the last `days` days, today included, oldest first; days
 * without requests are there with zeros, so that charts have no gaps.
 */
export async function queryUsageDaily(
  db: Sql,
  orgId: string,
  days: number,
  now: Date,
): Promise<DailyUsageRow[]> {
  const { rows } = await db.query<DailyRow>(
    `WITH days AS (
       SELECT (date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') - (n || ' days')::interval)::date AS day
       FROM generate_series(0, $3::integer - 1) AS n
     ), usage AS (
       SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
         count(DISTINCT request_id)::integer AS requests,
         (count(DISTINCT request_id) FILTER (WHERE outcome = 'error'))::integer AS errors,
         sum(prompt_tokens)::bigint AS prompt_tokens,
         sum(completion_tokens)::bigint AS completion_tokens,
         sum(charged_nanos)::bigint AS cost_nanos
       FROM usage_records
       WHERE org_id = $1 AND created_at >= $2::timestamptz - ($3::integer || ' days')::interval
       GROUP BY 1
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day, COALESCE(requests, 0) AS requests,
       COALESCE(errors, 0) AS errors, COALESCE(prompt_tokens, 0) AS prompt_tokens,
       COALESCE(completion_tokens, 0) AS completion_tokens, COALESCE(cost_nanos, 0) AS cost_nanos
     FROM days LEFT JOIN usage USING (day) ORDER BY days.day`,
    [orgId, now, days],
  );
  return rows.map((row) => ({
    day: row.day,
    requests: row.requests,
    errors: row.errors,
    promptTokens: int8(row.prompt_tokens),
    completionTokens: int8(row.completion_tokens),
    costNanos: int8(row.cost_nanos),
  }));
}

/** What each node of the org (or of every org) was credited, nano-USD, by node id. */
export async function queryNodeEarnings(db: Sql, orgId?: string): Promise<Record<string, number>> {
  const { rows } = await db.query<{ node_id: string; credited: Int8 }>(
    `SELECT u.node_id, sum(u.credited_nanos)::bigint AS credited
     FROM usage_records u JOIN nodes n ON n.id = u.node_id
     WHERE $1::text IS NULL OR n.org_id = $1
     GROUP BY 1`,
    [orgId ?? null],
  );
  return Object.fromEntries(rows.map((row) => [row.node_id, int8(row.credited)]));
}
