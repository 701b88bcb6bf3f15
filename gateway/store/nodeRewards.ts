/**
 * Reward splits: how each node's earnings are shared between cash rewards, network credit
 * (exchange) and a mission cause, and how one job's credit is cut by a split. Shares are
 * exact integer nano-USD; the rounding remainder goes to the mission share.
 */
import type { Sql } from './sql.js';
import type { RewardSplit } from '../../common/protocol.js';
import {
  DEFAULT_NODE_REWARDS,
  STORE_LIMITS,
  type NodeRewards,
  type RewardShares,
} from './types.js';

interface SplitRow {
  split_rewards: number;
  split_exchange: number;
  split_mission: number;
  mission_cause: string | null;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/**
 * A split that adds up to 100 in whole percentages, and a cause fit to show in a terminal:
 * control characters become spaces (a node may send them; they must never reach the admin's
 * screen), and a blank cause is none. Rejects with a RangeError otherwise. The schema (and
 * zod with it) is loaded on first use: the database thread needs nothing else of zod, and
 * loading it there would add a tenth of a second to every gateway start.
 */
export async function checkRewards(rewards: NodeRewards): Promise<NodeRewards> {
  const { rewardSplitSchema } = await import('../../common/protocol.js');
  const parsed = rewardSplitSchema.safeParse(rewards?.split);
  if (!parsed.success) {
    throw new RangeError(
      'A reward split needs whole percentages rewards, exchange and mission that add up to 100',
    );
  }
  const raw = rewards.missionCause;
  if (raw !== null && typeof raw !== 'string') throw new RangeError('missionCause must be text');
  const cause = raw === null ? '' : raw.replace(CONTROL, ' ').trim();
  if (cause.length > STORE_LIMITS.causeLength) {
    throw new RangeError(`missionCause must be at most ${STORE_LIMITS.causeLength} characters`);
  }
  return { split: parsed.data, missionCause: cause === '' ? null : cause };
}

/**
 * Cuts `creditedNanos` by `split`: rewards and exchange rounded down, the mission share takes
 * the remainder, so the three add up exactly. BigInt keeps credits above 2^53 / 100 exact.
 */
export function splitCredit(
  creditedNanos: number,
  split: RewardSplit,
): Pick<RewardShares, 'rewardsNanos' | 'exchangeNanos' | 'missionNanos'> {
  const credit = BigInt(creditedNanos);
  const rewards = (credit * BigInt(split.rewards)) / 100n;
  const exchange = (credit * BigInt(split.exchange)) / 100n;
  return {
    rewardsNanos: Number(rewards),
    exchangeNanos: Number(exchange),
    missionNanos: Number(credit - rewards - exchange),
  };
}

const toRewards = (row: SplitRow): NodeRewards => ({
  split: { rewards: row.split_rewards, exchange: row.split_exchange, mission: row.split_mission },
  missionCause: row.mission_cause,
});

/** The node's split, or null for an unknown node. */
export async function readNodeRewards(db: Sql, nodeId: string): Promise<NodeRewards | null> {
  const { rows } = await db.query<SplitRow>(
    'SELECT split_rewards, split_exchange, split_mission, mission_cause FROM nodes WHERE id = $1',
    [nodeId],
  );
  return rows[0] ? toRewards(rows[0]) : null;
}

/** Stores the node's split; false for an unknown node. */
export async function writeNodeRewards(
  db: Sql,
  nodeId: string,
  rewards: NodeRewards,
): Promise<boolean> {
  const { split, missionCause } = await checkRewards(rewards);
  const { rows } = await db.query(
    `UPDATE nodes SET split_rewards = $2, split_exchange = $3, split_mission = $4,
       mission_cause = $5 WHERE id = $1 RETURNING id`,
    [nodeId, split.rewards, split.exchange, split.mission, missionCause],
  );
  return rows.length === 1;
}

/** How the credit of a job served by `nodeId` (null: no node) is shared, by its current split. */
export async function sharesFor(
  tx: Sql,
  nodeId: string | null,
  creditedNanos: number,
): Promise<RewardShares> {
  const rewards = (nodeId && (await readNodeRewards(tx, nodeId))) || DEFAULT_NODE_REWARDS;
  return {
    ...splitCredit(creditedNanos, rewards.split),
    missionCause: rewards.split.mission > 0 ? rewards.missionCause : null,
  };
}
