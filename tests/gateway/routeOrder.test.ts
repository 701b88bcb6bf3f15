/** Rule precedence and the four strategies over minimal routes (their `run` is never called). */
import { describe, expect, it } from 'vitest';
import type { Speed } from '../../gateway/routing/healthBook.js';
import { matchRule, orderRoutes } from '../../gateway/routing/routeOrder.js';
import type { RoutingRule, RoutingStrategy } from '../../gateway/store/types.js';
import { nodeRouteOf as node, upstreamRoute as upstream } from '../support/minimalRoutes.js';

const rule = (strategy: RoutingStrategy, extra: Partial<RoutingRule> = {}): RoutingRule => ({
  orgId: 'org_a',
  model: 'm',
  strategy,
  routes: null,
  weights: null,
  maxPrice: null,
  updatedAt: '2026-01-01T00:00:00Z',
  ...extra,
});

const A = upstream('A', { prompt: 1, completion: 1 });
const B = upstream('B', { prompt: 3, completion: 3 });
const mine = node('n1', 'org_a', { prompt: 2, completion: 2 });
const theirs = node('n2', 'org_b', { prompt: 0.5, completion: 0.5 });
const all = [A, B, mine, theirs];

const order = (
  r: RoutingRule | null,
  stats: Record<string, Speed> = {},
  pin?: string,
  random?: () => number,
) =>
  orderRoutes({
    routes: all,
    model: 'm',
    orgId: 'org_a',
    rule: r,
    pin,
    stats: (route) => stats[route.id] ?? {},
    random,
  }).map((route) => route.id);

describe('matching a rule', () => {
  it('takes the most specific: org+model, org+*, *+model, *+*', () => {
    const rules = [
      rule('pinned', { orgId: '*', model: '*' }),
      rule('fastest', { orgId: '*', model: 'm' }),
      rule('balanced', { orgId: 'org_a', model: '*' }),
      rule('cheapest', { orgId: 'org_a', model: 'm' }),
    ];
    expect(matchRule(rules, 'org_a', 'm')?.strategy).toBe('cheapest');
    expect(matchRule(rules, 'org_a', 'other')?.strategy).toBe('balanced');
    expect(matchRule(rules, 'org_b', 'm')?.strategy).toBe('fastest');
    expect(matchRule(rules, 'org_b', 'other')?.strategy).toBe('pinned');
    expect(matchRule([], 'org_a', 'm')).toBeNull();
  });
});

describe('ordering routes', () => {
  it('with no rule: every route, cheapest first', () => {
    expect(order(null)).toEqual(['node:n2', 'A', 'node:n1', 'B']);
  });

  it('cheapest breaks ties by measured speed', () => {
    const tie = [A, upstream('A2', { prompt: 1, completion: 1 })];
    const ids = orderRoutes({
      routes: tie,
      model: 'm',
      orgId: 'org_a',
      rule: null,
      stats: (route) => (route.id === 'A2' ? { tokensPerSecond: 90 } : { tokensPerSecond: 10 }),
    }).map((route) => route.id);
    expect(ids).toEqual(['A2', 'A']);
  });

  it('fastest orders by time to first token, unknown counting as the average of the known', () => {
    const stats = { A: { ttftMs: 300 }, B: { ttftMs: 100 }, 'node:n1': { ttftMs: 50 } };
    // n2 is unknown: the average (150) puts it between B and A.
    expect(order(rule('fastest'), stats)).toEqual(['node:n1', 'B', 'node:n2', 'A']);
  });

  it('pinned keeps the listed order, with own-nodes only the org’s own nodes', () => {
    expect(order(rule('pinned', { routes: ['B', 'own-nodes', 'A'] }))).toEqual([
      'B',
      'node:n1',
      'A',
    ]);
    // Within `nodes`: least loaded, fastest, then cheapest.
    expect(order(rule('pinned', { routes: ['nodes', 'A'] }))).toEqual(['node:n2', 'node:n1', 'A']);
  });

  it('skips routes above the price ceiling', () => {
    expect(order(rule('cheapest', { maxPrice: { prompt: 2, completion: 2 } }))).toEqual([
      'node:n2',
      'A',
      'node:n1',
    ]);
  });

  it('balanced draws routes by weight', () => {
    const balanced = rule('balanced', { routes: ['A', 'B'], weights: { A: 3, B: 1 } });
    let firstA = 0;
    const draws = 4000;
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < draws; i++) if (order(balanced, {}, undefined, random)[0] === 'A') firstA++;
    expect(firstA / draws).toBeGreaterThan(0.7);
    expect(firstA / draws).toBeLessThan(0.8);
    expect(order(balanced, {}, undefined, random).sort()).toEqual(['A', 'B']);
  });

  it('a pin takes one allowed route, and is a 400 when the rule forbids it or it does not exist', () => {
    expect(order(null, {}, 'B')).toEqual(['B']);
    expect(order(null, {}, 'node')).toEqual(['node:n2', 'node:n1']);
    expect(order(null, {}, 'n1')).toEqual(['node:n1']);
    expect(() => order(rule('pinned', { routes: ['A'] }), {}, 'B')).toThrow(/not allowed/);
    expect(() => order(null, {}, 'nowhere')).toThrow(/No route named 'nowhere'/);
    try {
      order(null, {}, 'nowhere');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: 'x-byoi-route' });
    }
  });
});
