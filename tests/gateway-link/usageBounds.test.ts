/** A node that streams a few words and reports a million tokens is billed at the bound. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceJob } from '../../common/protocol.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
const PRICE = { prompt: 3, completion: 7 };

beforeAll(async () => {
  t = await startTestGateway({ feeBasisPoints: 1500 });
});

afterAll(async () => {
  await t?.close();
});

describe('usage a node reports', () => {
  it('is billed at the bound of what the gateway relayed, and counted as a fault', async () => {
    const { link, nodeId } = await t.connectNode([model('greedy', { price: PRICE })]);
    const faultsBefore = t.gateway.router.faults.count(nodeId);
    const reply = t.client.chat.completions.create({ model: 'greedy', messages: USER });
    const words = ['three ', 'small ', 'words'];
    const offer = await link.serveNext(words, {
      promptTokens: 1_000_000,
      completionTokens: 1_000_000,
    });

    // 'hi' is 2 bytes: 2 + 16 per message + 64; the text is 17 bytes: 17 + 16.
    const bound = { promptTokens: 82, completionTokens: 33 };
    expect((await reply).usage).toMatchObject({
      prompt_tokens: bound.promptTokens,
      completion_tokens: bound.completionTokens,
    });
    const { receipt } = await link.next('receipt');
    expect(receipt).toMatchObject(bound);
    const money = priceJob(PRICE, bound.promptTokens, bound.completionTokens, 1500);
    expect(await t.gateway.store.usageFor(offer.jobId)).toMatchObject({ ...bound, ...money });
    expect(t.gateway.router.faults.count(nodeId)).toBe(faultsBefore + 1);
    link.close();
  });
});
