/** A node that streams a few words and reports a million tokens is billed at the bound. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceJob } from '../../common/protocol.js';
import { MAX_CLIENT_BODY_BYTES } from '../../gateway/defaults.js';
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
    await t.gateway.router.standing.settled();
    const [node] = await t.gateway.store
      .listNodes(t.nodeOrgId)
      .then((all) => all.filter((n) => n.id === nodeId));
    expect(node!.faults).toEqual([
      expect.objectContaining({
        kind: 'usage_over_report',
        count: 1,
        lastDetail: expect.any(String),
      }),
    ]);
    link.close();
  });
});

describe('a request too large to offer to a node', () => {
  it('is refused at the edge with a 413, and the node keeps its link', async () => {
    const { link } = await t.connectNode([model('roomy')]);
    const huge = 'x'.repeat(MAX_CLIENT_BODY_BYTES);
    const response = await t.post('/v1/chat/completions', {
      model: 'roomy',
      messages: [{ role: 'user', content: huge }],
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string; message: string } }).error).toEqual(
      expect.objectContaining({
        code: 'request_too_large',
        message: expect.stringContaining(String(MAX_CLIENT_BODY_BYTES)),
      }),
    );
    // Just under the limit still reaches the node as one offer.
    const fits = t.post('/v1/chat/completions', {
      model: 'roomy',
      messages: [{ role: 'user', content: huge.slice(0, MAX_CLIENT_BODY_BYTES - 200) }],
    });
    await link.serveNext(['ok'], { promptTokens: 1, completionTokens: 1 });
    expect((await fits).status).toBe(200);
    link.close();
  });
});
