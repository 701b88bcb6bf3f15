/**
 * Reward splits over the real path: a node's `rewards` frame decides how the credit of the
 * jobs it serves from then on is shared, the split outlives the link, a node that never sent
 * one earns all rewards, and the admin API shows the shares and causes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceJob } from '../../common/protocol.js';
import { captureLogs, type LogCapture } from './support/logCapture.js';
import { model, type LinkClient } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let logs: LogCapture;
const PRICE = { prompt: 3, completion: 7 };
const USAGE = { promptTokens: 80, completionTokens: 17 }; // within the bounds of "hi" → "ok"
// Charged 359_000 nano-USD (80 tokens at 3 $/M, 17 at 7 $/M), less the 10 % fee.
const CREDIT = priceJob(PRICE, USAGE.promptTokens, USAGE.completionTokens, 1000).creditedNanos;

beforeAll(async () => {
  logs = captureLogs();
  t = await startTestGateway({ logger: logs, feeBasisPoints: 1000 });
});

afterAll(async () => {
  await t?.close();
});

/** One job through the gateway, served by `link`; resolves with its job id once accounted. */
async function serveOne(link: LinkClient, modelId: string): Promise<string> {
  const reply = t.client.chat.completions.create({ model: modelId, messages: USER });
  const offer = await link.serveNext(['ok'], USAGE);
  await reply;
  await link.next('receipt');
  return offer.jobId;
}

async function adminBalance(orgId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${t.gateway.url}/admin/v1/orgs/${orgId}/balance`, {
    headers: { authorization: `Bearer ${t.gateway.adminToken}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('reward splits', () => {
  it('shares every job by the split the node sent, across links, and shows it in balances', async () => {
    expect(CREDIT).toBe(359_000 - 35_900);
    const first = await t.connectNode([model('shared', { price: PRICE })]);
    const unsplit = await serveOne(first.link, 'shared');
    expect(await t.gateway.store.usageFor(unsplit)).toMatchObject({
      creditedNanos: CREDIT,
      rewardsNanos: CREDIT,
      exchangeNanos: 0,
      missionNanos: 0,
      missionCause: null,
    });

    await first.link.rewards({ rewards: 33, exchange: 33, mission: 34 }, 'Clean Water');
    expect(
      await logs.waitFor((line) => line.msg === 'node rewards' && line.nodeId === first.nodeId),
    ).toMatchObject({ rewards: 33, exchange: 33, mission: 34, missionCause: 'Clean Water' });
    const split = await serveOne(first.link, 'shared');
    const rewards = Math.floor((CREDIT * 33) / 100);
    const shares = { rewardsNanos: rewards, exchangeNanos: rewards };
    const missionNanos = CREDIT - 2 * rewards;
    expect(await t.gateway.store.usageFor(split)).toMatchObject({
      ...shares,
      missionNanos,
      missionCause: 'Clean Water',
    });

    // A new link that sends no split keeps the stored one.
    first.link.close();
    await first.link.closed;
    const again = await t.connectNode([model('shared', { price: PRICE })], first.identity);
    const later = await serveOne(again.link, 'shared');
    expect(await t.gateway.store.usageFor(later)).toMatchObject({ ...shares, missionNanos });

    expect(await adminBalance(t.nodeOrgId)).toEqual({
      orgId: t.nodeOrgId,
      spentNanos: 0,
      earnedNanos: 3 * CREDIT,
      rewardsNanos: CREDIT + 2 * rewards,
      exchangeNanos: 2 * rewards,
      missionNanos: 2 * missionNanos,
      missionByCause: { 'Clean Water': 2 * missionNanos },
    });
    again.link.close();
  });

  it('keeps a node that never sent a split at all rewards, beside one that did', async () => {
    const plain = await t.connectNode([model('plain', { price: PRICE })]);
    const giver = await t.connectNode([model('giver', { price: PRICE })]);
    await giver.link.rewards({ rewards: 0, exchange: 50, mission: 50 }, null);
    const plainJob = await serveOne(plain.link, 'plain');
    const giverJob = await serveOne(giver.link, 'giver');
    expect(await t.gateway.store.usageFor(plainJob)).toMatchObject({
      rewardsNanos: CREDIT,
      missionNanos: 0,
    });
    expect(await t.gateway.store.usageFor(giverJob)).toMatchObject({
      rewardsNanos: 0,
      exchangeNanos: CREDIT / 2,
      missionNanos: CREDIT / 2,
      missionCause: null,
    });
    expect(await t.gateway.store.nodeRewards(plain.nodeId)).toEqual({
      split: { rewards: 100, exchange: 0, mission: 0 },
      missionCause: null,
    });
    expect((await adminBalance(t.nodeOrgId)).missionByCause).toMatchObject({
      '(none)': CREDIT / 2,
    });
  });
});
