/**
 * The reliability score (what the gateway saw of each node) and its use as a tie-break
 * among routes of similar price.
 */
import { describe, expect, it } from 'vitest';
import type { ModelPrice } from '../../common/protocol.js';
import { NEW_NODE_SCORE, NodeScores } from '../../gateway/routing/nodeScore.js';
import { orderRoutes, SIMILAR_PRICE } from '../../gateway/routing/routeOrder.js';
import type { RoutingRule } from '../../gateway/store/types.js';
import { tokenMilestone } from '../../main/engine/node/standingStatus.js';
import { nodeRouteOf } from '../support/minimalRoutes.js';

const DAY = 86_400_000;

const node = (nodeId: string, price: ModelPrice) => nodeRouteOf(nodeId, 'org_a', price);

const rule = (strategy: RoutingRule['strategy']): RoutingRule => ({
  orgId: 'org_a',
  model: 'm',
  strategy,
  routes: null,
  weights: null,
  maxPrice: null,
  updatedAt: '2026-01-01T00:00:00Z',
});

/** A clock that starts mid-day (UTC) and moves only when told. */
function scoresAt(start = 10 * DAY + DAY / 2) {
  let now = start;
  const scores = new NodeScores(() => now);
  return { scores, advance: (ms: number) => (now += ms) };
}

describe('the reliability score', () => {
  it('starts a node the gateway has not seen at the new-node score', () => {
    const { scores } = scoresAt();
    expect(scores.score('nobody')).toBe(NEW_NODE_SCORE);
  });

  it('rises with finished jobs and falls with failures, stalls and refused offers', () => {
    const { scores } = scoresAt();
    for (const id of ['good', 'bad']) scores.online(id);
    for (let i = 0; i < 10; i++) {
      scores.accepted('good');
      scores.finished('good', 12);
    }
    scores.accepted('bad');
    scores.failed('bad', 'm', 'job_failed');
    scores.accepted('bad');
    scores.failed('bad', 'm', 'stalled');
    scores.refused('bad', 'm', 'offer_timeout');
    const good = scores.score('good', ['bad']);
    const bad = scores.score('bad', ['good']);
    expect(good).toBeGreaterThan(90);
    expect(bad).toBeLessThan(75);
    expect(scores.tokensServed('good')).toBe(120);
    expect(scores.tokensServed('bad')).toBe(0);
  });

  it('counts time offline against availability', () => {
    const { scores, advance } = scoresAt();
    scores.online('n');
    advance(30_000);
    scores.offline('n');
    advance(30_000);
    expect(scores.parts('n').availability).toBeCloseTo(0.5);
    scores.online('n');
    advance(60_000);
    expect(scores.parts('n').availability).toBeCloseTo(0.75);
  });

  it("compares time to first token with the peers' median, losing at most half of that part", () => {
    const { scores } = scoresAt();
    scores.firstToken('fast', 'm', 100);
    scores.firstToken('slow', 'm', 400);
    expect(scores.parts('fast', ['slow']).speed).toBe(1);
    expect(scores.parts('slow', ['fast']).speed).toBe(0.5);
    expect(scores.parts('slow', []).speed).toBe(1);
  });

  it("tells a node its rank, tokens and today's incidents by kind and model", () => {
    const { scores, advance } = scoresAt();
    scores.accepted('a');
    scores.finished('a', 5);
    scores.accepted('b');
    scores.failed('b', 'm', 'job_failed');
    advance(DAY); // yesterday's incident is no longer today's
    scores.accepted('b');
    scores.failed('b', 'm', 'job_failed');
    scores.accepted('b');
    scores.failed('b', 'm', 'job_failed');
    const b = scores.standing('b', ['a', 'b']);
    expect(b).toMatchObject({ rank: 2, of: 2, tokensServed: 0 });
    expect(b.today).toEqual([{ kind: 'job_failed', model: 'm', count: 2 }]);
    expect(scores.standing('a', ['a', 'b'])).toMatchObject({ rank: 1, of: 2, tokensServed: 5 });
  });

  it('marks lifetime-token milestones', () => {
    expect(tokenMilestone(999)).toEqual({ milestone: null, nextMilestone: 1000 });
    expect(tokenMilestone(1000)).toEqual({ milestone: 1000, nextMilestone: 10_000 });
    expect(tokenMilestone(2e9)).toEqual({ milestone: 1e9, nextMilestone: null });
  });
});

describe('the score as a tie-break', () => {
  const cheap = node('cheap', { prompt: 1, completion: 1 });
  const similar = node('similar', { prompt: 1.05, completion: 1.05 });
  const dear = node('dear', { prompt: 1.5, completion: 1.5 });
  const order = (scores: Record<string, number>, strategy: RoutingRule['strategy'] = 'cheapest') =>
    orderRoutes({
      routes: [dear, similar, cheap],
      model: 'm',
      orgId: 'org_a',
      rule: rule(strategy),
      stats: () => ({}),
      score: (route) => scores[route.nodeId!],
    }).map((route) => route.nodeId);

  it('keeps price order when scores are alike (within one 5-point step)', () => {
    expect(order({ cheap: 90, similar: 91, dear: 99 })).toEqual(['cheap', 'similar', 'dear']);
  });

  it(`puts the reliable node first among prices within ${SIMILAR_PRICE * 100} %`, () => {
    expect(order({ cheap: 60, similar: 95, dear: 99 })).toEqual(['similar', 'cheap', 'dear']);
  });

  it('never lets a score beat a price more than 10 % lower', () => {
    expect(order({ cheap: 10, similar: 10, dear: 100 })).toEqual(['cheap', 'similar', 'dear']);
  });

  it('bands from the cheapest of a band, so similar prices do not chain', () => {
    // 1, 1.05 (band 0), 1.15 (> 1.1: band 1) even though 1.15 is within 10 % of 1.05.
    const chained = node('chained', { prompt: 1.15, completion: 1.15 });
    const ordered = orderRoutes({
      routes: [chained, similar, cheap],
      model: 'm',
      orgId: 'org_a',
      rule: rule('cheapest'),
      stats: () => ({}),
      score: (route) => ({ cheap: 50, similar: 50, chained: 100 })[route.nodeId!],
    });
    expect(ordered.map((route) => route.nodeId)).toEqual(['cheap', 'similar', 'chained']);
  });

  it('breaks a tie of speed by score under the fastest strategy', () => {
    expect(order({ cheap: 40, similar: 95, dear: 70 }, 'fastest')).toEqual([
      'similar',
      'dear',
      'cheap',
    ]);
  });
});
