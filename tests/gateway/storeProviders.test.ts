/** Providers and routing rules in the store: CRUD, and refusals that change nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/storeBackends.js';
import {
  ConflictError,
  UnknownOrgError,
  type GatewayStore,
  type NewProvider,
  type NewRoutingRule,
} from '../../gateway/store/types.js';
import { provider } from './helpers.js';

let store: GatewayStore;
let clock = Date.parse('2031-01-01T00:00:00.000Z');

/** Everything stored about providers and rules, to compare before and after a refusal. */
async function snapshot() {
  return { providers: await store.listProviders(), rules: await store.listRoutingRules() };
}
describeBackends((backend) => {
  beforeAll(async () => {
    store = await backend.open({ now: () => new Date((clock += 1000)) });
  });
  afterAll(() => store.close());

  describe('providers', () => {
    it('adds, lists, gets, disables, upserts and removes providers', async () => {
      const added = await store.addProvider(
        provider('Alpha', { baseUrl: 'https://api.alpha.test/v1/', maxConcurrent: 8 }),
      );
      expect(added).toEqual({
        name: 'Alpha',
        baseUrl: 'https://api.alpha.test/v1',
        apiKeys: ['sk-test-0123456789'],
        models: { tiny: 'tiny-upstream' },
        price: { prompt: 0.5, completion: 1.5 },
        cost: null,
        maxConcurrent: 8,
        enabled: true,
        createdAt: expect.stringMatching(/^2031-/),
      });
      const beta = await store.addProvider(
        provider('beta.2', { cost: { prompt: 0.1, completion: 0.2 }, enabled: false }),
      );
      expect(beta).toMatchObject({ maxConcurrent: 64, enabled: false, cost: { prompt: 0.1 } });
      expect((await store.listProviders()).map((p) => p.name)).toEqual(['Alpha', 'beta.2']);
      expect(await store.getProvider('Alpha')).toEqual(added);
      expect(await store.getProvider('nope')).toBeNull();

      expect(await store.setProviderEnabled('Alpha', false)).toBe(true);
      expect((await store.getProvider('Alpha'))?.enabled).toBe(false);
      expect(await store.setProviderEnabled('nope', true)).toBe(false);

      // An upsert keeps the creation time and, without `enabled`, the enabled state.
      const replaced = await store.upsertProvider(provider('Alpha', { apiKeys: ['k1', 'k2'] }));
      expect(replaced).toMatchObject({ apiKeys: ['k1', 'k2'], enabled: false, maxConcurrent: 64 });
      expect(replaced.createdAt).toBe(added.createdAt);
      expect((await store.upsertProvider(provider('Alpha', { enabled: true }))).enabled).toBe(true);

      await expect(store.addProvider(provider('Alpha'))).rejects.toEqual(
        new ConflictError("A provider named 'Alpha' already exists"),
      );
      expect(await store.removeProvider('beta.2')).toBe(true);
      expect(await store.removeProvider('beta.2')).toBe(false);
      expect(await store.removeProvider('Alpha')).toBe(true);
      expect(await store.listProviders()).toEqual([]);
    });

    it.each<[string, Partial<NewProvider>, RegExp]>([
      ['a reserved name', { name: 'nodes' }, /reserved/],
      ['a reserved name in capitals', { name: 'Own-Nodes' }, /reserved/],
      ['a star', { name: '*' }, /Provider name must be/],
      ['a name with a space', { name: 'a b' }, /Provider name must be/],
      ['a long name', { name: 'x'.repeat(65) }, /Provider name must be/],
      ['a name starting with a dash', { name: '-x' }, /Provider name must be/],
      ['an ftp URL', { baseUrl: 'ftp://x/v1' }, /baseUrl must be an http\(s\) URL/],
      ['no URL at all', { baseUrl: 'not a url' }, /baseUrl/],
      ['no key', { apiKeys: [] }, /1 to 16 API keys/],
      ['17 keys', { apiKeys: Array.from({ length: 17 }, (_, i) => `k${i}`) }, /1 to 16/],
      ['an empty key', { apiKeys: [''] }, /API key 1 must be/],
      [
        'a key with a space',
        { apiKeys: ['ok', 'sk bad'] },
        /API key 2 must be .*without whitespace/,
      ],
      ['a repeated key', { apiKeys: ['same', 'same'] }, /repeats/],
      ['no model', { models: {} }, /1 to 1000 models/],
      ['a long model id', { models: { ['m'.repeat(129)]: 'm' } }, /Model ids must be/],
      ['an empty upstream id', { models: { m: '' } }, /Model ids must be/],
      ['a negative price', { price: { prompt: -1, completion: 1 } }, /price\.prompt must be/],
      ['a huge price', { price: { prompt: 1, completion: 1001 } }, /price\.completion/],
      ['a NaN cost', { cost: { prompt: NaN, completion: 1 } }, /cost\.prompt/],
      ['zero concurrency', { maxConcurrent: 0 }, /maxConcurrent must be a whole number from 1/],
      ['too much concurrency', { maxConcurrent: 10_001 }, /maxConcurrent/],
    ])('refuses %s with a RangeError, storing nothing', async (_what, overrides, message) => {
      const before = await snapshot();
      const bad = provider('Bad', overrides);
      await expect(store.addProvider(bad)).rejects.toThrow(RangeError);
      await expect(store.addProvider(bad)).rejects.toThrow(message);
      await expect(store.upsertProvider(bad)).rejects.toThrow(message);
      expect(await snapshot()).toEqual(before);
    });

    it('never echoes an API key in a refusal', async () => {
      const error = await store
        .addProvider(provider('Leak', { apiKeys: ['sk-secret with-space'] }))
        .catch((e: Error) => e);
      expect(String(error)).not.toContain('sk-secret');
    });
  });

  describe('routing rules', () => {
    it('sets, replaces, lists and removes rules', async () => {
      const org = await store.createOrg('Rules');
      await store.addProvider(provider('A'));
      await store.addProvider(provider('B'));
      const global: NewRoutingRule = {
        orgId: '*',
        model: '*',
        strategy: 'cheapest',
        routes: null,
        weights: null,
        maxPrice: null,
      };
      expect(await store.setRoutingRule(global)).toEqual({
        ...global,
        updatedAt: expect.stringMatching(/^2031-/),
      });
      const balanced = await store.setRoutingRule({
        orgId: org.id,
        model: 'tiny',
        strategy: 'balanced',
        routes: ['A', 'B', 'nodes'],
        weights: { A: 3, B: 1, nodes: 1 },
        maxPrice: { prompt: 5, completion: 10 },
      });
      expect(balanced).toMatchObject({
        weights: { A: 3, B: 1, nodes: 1 },
        maxPrice: { prompt: 5 },
      });
      // The same rule again changes nothing, not even updatedAt; a different one replaces it.
      expect(await store.setRoutingRule({ ...balanced })).toEqual(balanced);
      const pinned = await store.setRoutingRule({
        ...balanced,
        strategy: 'pinned',
        routes: ['B', 'own-nodes'],
        weights: null,
      });
      expect(pinned.updatedAt > balanced.updatedAt).toBe(true);
      expect(await store.listRoutingRules(org.id)).toEqual([pinned]);
      expect((await store.listRoutingRules()).map((r) => r.orgId)).toEqual(['*', org.id]);
      expect(await store.listRoutingRules('*')).toHaveLength(1);

      // A provider a rule names cannot be removed; nothing changes.
      const before = await snapshot();
      await expect(store.removeProvider('B')).rejects.toThrow(ConflictError);
      await expect(store.removeProvider('B')).rejects.toThrow(
        new RegExp(`routing rule for org '${org.id}' and model 'tiny'`),
      );
      expect(await snapshot()).toEqual(before);
      expect(await store.removeProvider('A')).toBe(true); // no rule names it any more

      expect(await store.removeRoutingRule(org.id, 'tiny')).toBe(true);
      expect(await store.removeRoutingRule(org.id, 'tiny')).toBe(false);
      expect(await store.removeProvider('B')).toBe(true);
      expect(await store.removeRoutingRule('*', '*')).toBe(true);
    });

    it('refuses bad rules with clear errors, storing nothing', async () => {
      const org = await store.createOrg('Strict rules');
      await store.addProvider(provider('C'));
      const rule = (overrides: Partial<NewRoutingRule>): NewRoutingRule => ({
        orgId: org.id,
        model: 'tiny',
        strategy: 'cheapest',
        routes: null,
        weights: null,
        maxPrice: null,
        ...overrides,
      });
      const cases: [Partial<NewRoutingRule>, RegExp][] = [
        [{ strategy: 'random' as never }, /strategy must be one of cheapest, fastest, balanced/],
        [{ routes: [] }, /routes must list 1 to 64/],
        [{ routes: ['C', 'C'] }, /listed twice/],
        [{ routes: ['C', 'Nope'] }, /Unknown route 'Nope'/],
        [{ strategy: 'pinned' }, /'pinned' strategy needs routes/],
        [{ strategy: 'balanced', routes: ['C'] }, /'balanced' strategy needs weights/],
        [{ strategy: 'balanced', weights: { C: 0 } }, /weight of 'C' must be a whole number/],
        [{ strategy: 'balanced', weights: { C: 1.5 } }, /weight of 'C'/],
        [{ strategy: 'balanced', routes: ['C'], weights: { C: 1, nodes: 1 } }, /'nodes' is not in/],
        [
          { strategy: 'balanced', routes: ['C', 'nodes'], weights: { C: 1 } },
          /'nodes' has no weight/,
        ],
        [{ strategy: 'balanced', weights: { Ghost: 1 } }, /Unknown route 'Ghost'/],
        [{ weights: { C: 1 } }, /only for the 'balanced' strategy/],
        [{ maxPrice: { prompt: -1, completion: 1 } }, /maxPrice\.prompt must be a price/],
        [{ model: '' }, /model must be a model id/],
      ];
      const before = await snapshot();
      for (const [overrides, message] of cases) {
        await expect(
          store.setRoutingRule(rule(overrides)),
          JSON.stringify(overrides),
        ).rejects.toThrow(message);
        await expect(store.setRoutingRule(rule(overrides))).rejects.toBeInstanceOf(RangeError);
      }
      await expect(store.setRoutingRule(rule({ orgId: 'org_nope' }))).rejects.toEqual(
        new UnknownOrgError('org_nope'),
      );
      expect(await snapshot()).toEqual(before);
    });
  });
});
