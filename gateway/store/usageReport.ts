/**
 * An organization's usage grouped by model, route, API key or node: requests (a continued
 * stream counts once), errors, tokens, money, and medians and 95th percentiles of the
 * timings, computed by Postgres' `percentile_cont` over the rows that have them.
 */
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
