/**
 * Sums over the usage ledger: an organization's balances (what it spent, what its nodes
 * earned and how that was shared) and the market figures (what recent node jobs paid).
 */
import type { Sql } from './sql.js';
import type { MarketModel } from '../../common/protocol.js';
import { int8 } from './storeRows.js';
import { NO_MISSION_CAUSE, type Balances } from './types.js';

type Int8 = number | bigint | string;

/**
 * Spent: charges on the org's API keys. Earned: credits to the org's nodes, with its
 * rewards, exchange and mission shares, and the mission share by cause.
 */
export async function sumBalances(db: Sql, orgId: string): Promise<Balances> {
  const { rows } = await db.query<
    Record<'spent' | 'earned' | 'rewards' | 'exchange' | 'mission', Int8>
  >(
    `SELECT
       (SELECT COALESCE(SUM(u.charged_nanos), 0)::bigint FROM usage_records u
          JOIN api_keys k ON k.id = u.api_key_id WHERE k.org_id = $1) AS spent,
       COALESCE(SUM(u.credited_nanos), 0)::bigint AS earned,
       COALESCE(SUM(u.rewards_nanos), 0)::bigint AS rewards,
       COALESCE(SUM(u.exchange_nanos), 0)::bigint AS exchange,
       COALESCE(SUM(u.mission_nanos), 0)::bigint AS mission
     FROM usage_records u JOIN nodes n ON n.id = u.node_id WHERE n.org_id = $1`,
    [orgId],
  );
  const causes = await db.query<{ cause: string; nanos: Int8 }>(
    `SELECT COALESCE(u.mission_cause, $2) AS cause, SUM(u.mission_nanos)::bigint AS nanos
     FROM usage_records u JOIN nodes n ON n.id = u.node_id
     WHERE n.org_id = $1 AND u.mission_nanos > 0
     GROUP BY 1 ORDER BY 1`,
    [orgId, NO_MISSION_CAUSE],
  );
  const row = rows[0];
  return {
    spentNanos: int8(row?.spent),
    earnedNanos: int8(row?.earned),
    rewardsNanos: int8(row?.rewards),
    exchangeNanos: int8(row?.exchange),
    missionNanos: int8(row?.mission),
    missionByCause: Object.fromEntries(
      causes.rows.map((entry) => [entry.cause, int8(entry.nanos)]),
    ),
  };
}

interface PriceRow {
  model: string;
  prompt: number[];
  completion: number[];
  samples: number;
}

/**
 * Quartiles of the prices of node jobs since `since`, per model, one sample per job. Failed
 * requests are left out: nothing was paid at their price.
 */
export async function queryRecentPrices(db: Sql, since: Date): Promise<MarketModel[]> {
  const { rows } = await db.query<PriceRow>(
    `SELECT model,
       percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY price_prompt) AS prompt,
       percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY price_completion)
         AS completion,
       count(*)::integer AS samples
     FROM usage_records WHERE route = 'node' AND outcome = 'ok' AND created_at >= $1
     GROUP BY model ORDER BY model`,
    [since],
  );
  const quartiles = ([p25, median, p75]: number[]) => ({
    p25: p25 ?? 0,
    median: median ?? 0,
    p75: p75 ?? 0,
  });
  return rows.map((row) => ({
    id: row.model,
    prompt: quartiles(row.prompt),
    completion: quartiles(row.completion),
    samples: row.samples,
  }));
}
