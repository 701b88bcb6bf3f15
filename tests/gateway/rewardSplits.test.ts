/**
 * Reward splits in the store: each node's split and cause, the shares of each job's credit
 * (rounded down, the remainder to the mission), the default for nodes that never sent one,
 * balances by share and cause, and the migration of usage written before splits existed.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../gateway/store/migrations.js';
import { splitCredit } from '../../gateway/store/nodeRewards.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import {
  DEFAULT_NODE_REWARDS,
  NO_MISSION_CAUSE,
  type GatewayStore,
} from '../../gateway/store/types.js';
import { nodePublicKey, usage } from './helpers.js';

let store: GatewayStore;

beforeAll(async () => {
  store = await openStore(null);
});
afterAll(() => store.close());

/** A client org with a key, and a provider org with one node. */
async function accounts(name: string) {
  const client = await store.createOrg(`${name} client`);
  const { info } = await store.createApiKey(client.id, 'k');
  const owner = await store.createOrg(`${name} owner`);
  const { code } = await store.createEnrollmentCode(owner.id);
  const node = await store.enrollNode(code, nodePublicKey(), 'n');
  return {
    ids: { orgId: client.id, apiKeyId: info.id, nodeId: node.id },
    ownerId: owner.id,
    nodeId: node.id,
  };
}

describe('splitCredit', () => {
  it.each([
    [1_001, [50, 30, 20], [500, 300, 201]],
    [7, [33, 33, 34], [2, 2, 3]],
    [99, [1, 1, 98], [0, 0, 99]],
    [100, [100, 0, 0], [100, 0, 0]],
    [0, [20, 30, 50], [0, 0, 0]],
  ])('cuts %i nano-USD by %j into %j', (credit, [r, e, m], expected) => {
    const shares = splitCredit(credit, { rewards: r!, exchange: e!, mission: m! });
    expect([shares.rewardsNanos, shares.exchangeNanos, shares.missionNanos]).toEqual(expected);
  });

  it('stays exact past 2^53 / 100', () => {
    const credit = Number.MAX_SAFE_INTEGER;
    const shares = splitCredit(credit, { rewards: 33, exchange: 33, mission: 34 });
    expect(shares.rewardsNanos).toBe(Number((BigInt(credit) * 33n) / 100n));
    expect(
      BigInt(shares.rewardsNanos) + BigInt(shares.exchangeNanos) + BigInt(shares.missionNanos),
    ).toBe(BigInt(credit));
  });
});

describe('node splits', () => {
  it('defaults to 100/0/0 without a cause, keeps what the node sets, and refuses nonsense', async () => {
    const { nodeId } = await accounts('Splits');
    expect(await store.nodeRewards(nodeId)).toEqual(DEFAULT_NODE_REWARDS);
    const rewards = { split: { rewards: 60, exchange: 30, mission: 10 }, missionCause: 'Trees' };
    expect(await store.setNodeRewards(nodeId, rewards)).toBe(true);
    expect(await store.nodeRewards(nodeId)).toEqual(rewards);

    const sums99 = { split: { rewards: 60, exchange: 30, mission: 9 }, missionCause: null };
    await expect(store.setNodeRewards(nodeId, sums99)).rejects.toThrow(/add up to 100/);
    const fraction = { split: { rewards: 50.5, exchange: 49.5, mission: 0 }, missionCause: null };
    await expect(store.setNodeRewards(nodeId, fraction)).rejects.toThrow(RangeError);
    expect(await store.nodeRewards(nodeId)).toEqual(rewards);

    expect(await store.setNodeRewards('node_missing', rewards)).toBe(false);
    expect(await store.nodeRewards('node_missing')).toBeNull();
  });

  it('keeps control characters out of a cause, and a blank cause is none', async () => {
    const { nodeId } = await accounts('Causes');
    const split = { rewards: 0, exchange: 0, mission: 100 };
    await store.setNodeRewards(nodeId, { split, missionCause: ' Clean\u001b[2Jwater\n ' });
    expect((await store.nodeRewards(nodeId))?.missionCause).toBe('Clean [2Jwater');
    await store.setNodeRewards(nodeId, { split, missionCause: '  \t ' });
    expect((await store.nodeRewards(nodeId))?.missionCause).toBeNull();
  });
});

describe('usage shares and balances', () => {
  it('shares each job by the split in force when it is recorded', async () => {
    const { ids, ownerId, nodeId } = await accounts('Shares');
    await store.recordUsage(usage('share-default', ids, { charged: 1_100, fee: 99 }));
    expect(await store.usageFor('share-default')).toMatchObject({
      creditedNanos: 1_001,
      rewardsNanos: 1_001,
      exchangeNanos: 0,
      missionNanos: 0,
      missionCause: null,
    });

    const split = { rewards: 50, exchange: 30, mission: 20 };
    await store.setNodeRewards(nodeId, { split, missionCause: 'Open Source' });
    await store.recordUsage(usage('share-split', ids, { charged: 1_100, fee: 99 }));
    expect(await store.usageFor('share-split')).toMatchObject({
      rewardsNanos: 500,
      exchangeNanos: 300,
      missionNanos: 201,
      missionCause: 'Open Source',
    });

    // A new cause changes later jobs only; a node with no cause gives to "(none)".
    await store.setNodeRewards(nodeId, { split, missionCause: null });
    await store.recordUsage(usage('share-none', ids, { charged: 110, fee: 10 }));
    // No mission share: the row names no cause even though the node has one.
    await store.setNodeRewards(nodeId, {
      split: { rewards: 70, exchange: 30, mission: 0 },
      missionCause: 'Trees',
    });
    await store.recordUsage(usage('share-nomission', ids, { charged: 10, fee: 0 }));
    expect(await store.usageFor('share-nomission')).toMatchObject({
      rewardsNanos: 7,
      exchangeNanos: 3,
      missionNanos: 0,
      missionCause: null,
    });
    expect((await store.usageFor('share-split'))?.missionCause).toBe('Open Source');

    expect(await store.balances(ownerId)).toEqual({
      spentNanos: 0,
      earnedNanos: 1_001 + 1_001 + 100 + 10,
      rewardsNanos: 1_001 + 500 + 50 + 7,
      exchangeNanos: 300 + 30 + 3,
      missionNanos: 201 + 20,
      missionByCause: { 'Open Source': 201, [NO_MISSION_CAUSE]: 20 },
    });
    // The paying org earns nothing and gives nothing.
    expect(await store.balances(ids.orgId)).toMatchObject({
      spentNanos: 1_100 + 1_100 + 110 + 10,
      missionNanos: 0,
      missionByCause: {},
    });
  });
});

describe('migration 2', () => {
  it('gives usage recorded before splits existed wholly to rewards', async () => {
    const db = await PGlite.create();
    try {
      await migrate(db, MIGRATIONS.slice(0, 1));
      await db.exec(`
        INSERT INTO orgs VALUES ('org_a', 'A', now());
        INSERT INTO api_keys (id, org_id, name, secret_sha256, created_at)
          VALUES ('key_a', 'org_a', 'k', 'hash', now());
        INSERT INTO nodes VALUES ('node_a', 'org_a', 'n', 'pk', now(), NULL);
        INSERT INTO usage_records VALUES ('job_old', 'org_a', 'key_a', 'node_a', 'node', 'm',
          1, 2, 0.5, 1.5, 1000, 100, 900, now());
      `);
      expect(await migrate(db)).toBe(MIGRATIONS.length);
      const { rows } = await db.query(
        'SELECT rewards_nanos, exchange_nanos, mission_nanos, mission_cause FROM usage_records',
      );
      expect(rows).toEqual([
        { rewards_nanos: 900, exchange_nanos: 0, mission_nanos: 0, mission_cause: null },
      ]);
      const nodes = await db.query('SELECT split_rewards, split_mission FROM nodes');
      expect(nodes.rows).toEqual([{ split_rewards: 100, split_mission: 0 }]);
      // The database itself refuses shares that do not add up.
      await expect(
        db.query("UPDATE usage_records SET mission_nanos = 1 WHERE job_id = 'job_old'"),
      ).rejects.toThrow(/usage_shares_add_up/);
    } finally {
      await db.close();
    }
  });
});
