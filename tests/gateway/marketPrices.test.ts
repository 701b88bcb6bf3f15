/**
 * Market figures: quartiles of the prices of the last 7 days' node jobs (one sample per job)
 * from the ledger, computed by Postgres' percentile_cont; models without recent jobs fall
 * back to what online nodes announce, one sample per node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnouncedModel, ModelPrice } from '../../common/protocol.js';
import type { NodeSession } from '../../gateway/link/nodeSession.js';
import {
  computeMarket,
  MARKET_WINDOW_MS,
  percentileCont,
  quartiles,
} from '../../gateway/market/marketPrices.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { nodePublicKey, usage } from './helpers.js';

let store: GatewayStore;
let ids: { orgId: string; apiKeyId: string; nodeId: string };
const NOW = new Date('2031-06-15T12:00:00.000Z');
let serial = 0;

beforeAll(async () => {
  store = await openStore(null);
  const org = await store.createOrg('Market');
  const { info } = await store.createApiKey(org.id, 'k');
  const { code } = await store.createEnrollmentCode(org.id);
  const node = await store.enrollNode(code, nodePublicKey(), 'n');
  ids = { orgId: org.id, apiKeyId: info.id, nodeId: node.id };
});
afterAll(() => store.close());

/** Records one node job of `model` at `price`, `ageMs` before {@link NOW}. */
async function job(model: string, price: ModelPrice, ageMs = 60_000, route = 'node') {
  const at = new Date(NOW.getTime() - ageMs).toISOString();
  const record = usage(`mk-${++serial}`, ids, { charged: 10, fee: 1 }, at);
  await store.recordUsage({
    ...record,
    model,
    price,
    route,
    nodeId: route === 'node' ? ids.nodeId : null,
  });
}

/** A session that announces these models, as far as the market looks at one. */
const announcing = (...models: [string, ModelPrice][]): NodeSession =>
  ({
    announcedModels: (): AnnouncedModel[] =>
      models.map(([id, price]) => ({ id, price, slots: 1, contextLength: 2048 })),
  }) as unknown as NodeSession;

describe('quartiles', () => {
  it('interpolates as percentile_cont does', () => {
    expect(quartiles([4, 1, 3, 2])).toEqual({ p25: 1.75, median: 2.5, p75: 3.25 });
    expect(quartiles([5])).toEqual({ p25: 5, median: 5, p75: 5 });
    expect(percentileCont([1, 2, 4], 0.25)).toBe(1.5);
  });
});

describe('recent job prices', () => {
  it('takes quartiles over the last 7 days of node jobs, one sample per job', async () => {
    for (const [prompt, completion] of [
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ]) {
      await job('quartet', { prompt: prompt!, completion: completion! });
    }
    await job('quartet', { prompt: 100, completion: 100 }, MARKET_WINDOW_MS + 60_000); // too old
    await job('quartet', { prompt: 100, completion: 100 }, 60_000, 'upstream'); // not a node
    await job('solo', { prompt: 0.25, completion: 0.75 }, MARKET_WINDOW_MS - 60_000);

    const since = new Date(NOW.getTime() - MARKET_WINDOW_MS);
    expect(await store.recentPrices(since)).toEqual([
      {
        id: 'quartet',
        prompt: { p25: 1.75, median: 2.5, p75: 3.25 },
        completion: { p25: 17.5, median: 25, p75: 32.5 },
        samples: 4,
      },
      {
        id: 'solo',
        prompt: { p25: 0.25, median: 0.25, p75: 0.25 },
        completion: { p25: 0.75, median: 0.75, p75: 0.75 },
        samples: 1,
      },
    ]);
  });

  it('agrees with the in-process quartiles on uneven samples', async () => {
    const prompts = [0.13, 0.7, 0.21, 0.55, 0.9, 0.34, 0.08];
    for (const prompt of prompts) await job('uneven', { prompt, completion: prompt * 2 });
    const [found] = (await store.recentPrices(new Date(NOW.getTime() - 3_600_000))).filter(
      (model) => model.id === 'uneven',
    );
    const expected = quartiles(prompts);
    expect(found?.samples).toBe(prompts.length);
    for (const key of ['p25', 'median', 'p75'] as const) {
      expect(found?.prompt[key]).toBeCloseTo(expected[key], 12);
    }
  });
});

describe('computeMarket', () => {
  it('uses recent jobs where there are any, else what online nodes announce', async () => {
    const sessions = [
      announcing(
        ['fresh', { prompt: 1, completion: 10 }],
        ['quartet', { prompt: 9, completion: 9 }],
      ),
      announcing(['fresh', { prompt: 2, completion: 20 }]),
      announcing(['fresh', { prompt: 4, completion: 40 }]),
    ];
    const market = await computeMarket(store, sessions, NOW);
    expect(market.at).toBe(NOW.toISOString());
    expect(market.models.map((model) => model.id)).toEqual(['fresh', 'quartet', 'solo', 'uneven']);
    expect(market.models[0]).toEqual({
      id: 'fresh',
      prompt: { p25: 1.5, median: 2, p75: 3 },
      completion: { p25: 15, median: 20, p75: 30 },
      samples: 3,
    });
    // The jobs win over the one node announcing 9/9.
    expect(market.models[1]).toMatchObject({ id: 'quartet', samples: 4, prompt: { median: 2.5 } });

    // A week later every job has aged out, and only announced prices are left.
    const later = await computeMarket(store, sessions, new Date(NOW.getTime() + MARKET_WINDOW_MS));
    expect(later.models.map((model) => [model.id, model.samples])).toEqual([
      ['fresh', 3],
      ['quartet', 1],
    ]);
  });
});
