/**
 * What nodes and clients learn of the market over the real gateway: the fee in `welcome`,
 * a `market` frame after a node's first announce, refreshes to every node when the figures
 * change (on demand, and on the interval), and `GET /v1/network/prices` behind API keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFrameSchema, type ModelPrice } from '../../common/protocol.js';
import { LinkClient, model } from './support/standInNode.js';
import { startTestGateway, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ feeBasisPoints: 1500 });
});

afterAll(async () => {
  await t?.close();
});

/** Records a finished node job of `modelId` at `price`, as the accounting would. */
async function recordJob(jobId: string, nodeId: string, modelId: string, price: ModelPrice) {
  await t.gateway.store.recordUsage({
    jobId,
    orgId: t.clientOrgId,
    apiKeyId: t.apiKeyId,
    nodeId,
    route: 'node',
    model: modelId,
    promptTokens: 10,
    completionTokens: 10,
    price,
    chargedNanos: 100,
    feeNanos: 15,
    creditedNanos: 85,
    createdAt: new Date().toISOString(),
  });
}

const prices = (response: Response) => response.json() as Promise<Record<string, unknown>>;
const getPrices = (key: string | null = t.apiKey) =>
  fetch(`${t.gateway.url}/v1/network/prices`, {
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
  });

describe('welcome', () => {
  it('tells the node the network fee', async () => {
    const { identity } = await t.enroll();
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.hello(identity);
    const welcome = await link.next('welcome');
    expect(welcome.feeBasisPoints).toBe(1500);
    expect(gatewayFrameSchema.safeParse(welcome).success).toBe(true);
    link.close();
  });
});

describe('market frames', () => {
  it('reach a node after its first announce, from announced prices before any job', async () => {
    const a = await t.connectNode([model('fallback', { price: { prompt: 1, completion: 10 } })]);
    expect(a.market.models).toEqual([
      {
        id: 'fallback',
        prompt: { p25: 1, median: 1, p75: 1 },
        completion: { p25: 10, median: 10, p75: 10 },
        samples: 1,
      },
    ]);
    expect(gatewayFrameSchema.safeParse(a.market).success).toBe(true);
    expect(Date.parse(a.market.at)).not.toBeNaN();
    // Its own standing rides along: a node the gateway has not seen serve yet, alone on its model.
    expect(a.market.standing).toMatchObject({ rank: 1, of: 1, tokensServed: 0, today: [] });

    await t.connectNode([model('fallback', { price: { prompt: 2, completion: 20 } })]);
    const c = await t.connectNode([model('fallback', { price: { prompt: 4, completion: 40 } })]);
    expect(c.market.models).toEqual([
      {
        id: 'fallback',
        prompt: { p25: 1.5, median: 2, p75: 3 },
        completion: { p25: 15, median: 20, p75: 30 },
        samples: 3,
      },
    ]);
    // A re-announce is not a first announce: no frame for it.
    await c.link.announce([model('fallback', { price: { prompt: 4, completion: 40 } })]);
    await c.link.sync();
    expect(c.link.pending().filter((frame) => frame.type === 'market')).toEqual([]);
  });

  it('go to every node on refresh when the figures changed, and not when they did not', async () => {
    const a = await t.connectNode([model('paid-for', { price: { prompt: 9, completion: 9 } })]);
    const b = await t.connectNode([model('other')]);
    await t.gateway.market.refresh(); // both now hold the current figures
    for (const link of [a.link, b.link]) {
      await link.sync(); // whatever that refresh sent has arrived
      while (link.pending().some((frame) => frame.type === 'market')) await link.next('market');
    }
    expect((await t.gateway.market.refresh()).sentTo).toBe(0);

    const paid: [number, number][] = [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ];
    for (const [index, [prompt, completion]] of paid.entries()) {
      await recordJob(`job_market_${index}`, a.nodeId, 'paid-for', { prompt, completion });
    }
    const refreshed = await t.gateway.market.refresh();
    expect(refreshed.sentTo).toBeGreaterThanOrEqual(2);
    for (const link of [a.link, b.link]) {
      const frame = await link.next('market');
      // The jobs win over the 9/9 the node announces.
      expect(frame.models.find((entry) => entry.id === 'paid-for')).toEqual({
        id: 'paid-for',
        prompt: { p25: 1.75, median: 2.5, p75: 3.25 },
        completion: { p25: 17.5, median: 25, p75: 32.5 },
        samples: 4,
      });
      expect(frame.at).toBe(refreshed.at);
    }
  });

  it('go out on the interval without being asked', async () => {
    const ticking = await startTestGateway({ marketIntervalMs: 50 });
    try {
      const { link, nodeId } = await ticking.connectNode([model('ticked')]);
      await ticking.gateway.store.recordUsage({
        jobId: 'job_ticked',
        orgId: ticking.clientOrgId,
        apiKeyId: ticking.apiKeyId,
        nodeId,
        route: 'node',
        model: 'ticked',
        promptTokens: 1,
        completionTokens: 1,
        price: { prompt: 0.5, completion: 0.25 },
        chargedNanos: 1,
        feeNanos: 0,
        creditedNanos: 1,
        createdAt: new Date().toISOString(),
      });
      // Wait for the tick that carries the recorded job (an earlier one may repeat the first).
      let frame = await link.next('market');
      while (frame.models[0]?.samples !== 1 || frame.models[0].prompt.median !== 0.5) {
        frame = await link.next('market');
      }
      expect(frame.models).toEqual([
        {
          id: 'ticked',
          prompt: { p25: 0.5, median: 0.5, p75: 0.5 },
          completion: { p25: 0.25, median: 0.25, p75: 0.25 },
          samples: 1,
        },
      ]);
    } finally {
      await ticking.close();
    }
  });
});

describe('GET /v1/network/prices', () => {
  it('answers the market as a list to a client with an API key', async () => {
    await t.connectNode([model('listed', { price: { prompt: 0.3, completion: 0.6 } })]);
    const response = await getPrices();
    expect(response.status).toBe(200);
    const body = await prices(response);
    expect(body).toMatchObject({ object: 'list', at: expect.any(String) });
    expect(body.data).toContainEqual({
      id: 'listed',
      prompt: { p25: 0.3, median: 0.3, p75: 0.3 },
      completion: { p25: 0.6, median: 0.6, p75: 0.6 },
      samples: 1,
    });
    expect(body.data).toEqual(
      [...(body.data as { id: string }[])].sort((x, y) => (x.id < y.id ? -1 : 1)),
    );
  });

  it.each([
    ['no key', null],
    ['a wrong key', 'byoi-sk-wrong'],
  ])('answers 401 invalid_api_key in OpenAI’s shape for %s', async (_name, key) => {
    const response = await getPrices(key);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('answers a revoked key 401 and another method 404, in OpenAI’s shape', async () => {
    const { key, info } = await t.gateway.store.createApiKey(t.clientOrgId, 'revoked');
    await t.gateway.store.revokeApiKey(info.id);
    expect((await getPrices(key)).status).toBe(401);
    const posted = await t.post('/v1/network/prices', {});
    expect(posted.status).toBe(404);
    expect(await posted.json()).toMatchObject({ error: { code: 'unknown_url' } });
  });
});
