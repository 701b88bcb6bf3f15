/**
 * The provider's standing, end to end: a real gateway and two real nodes; one stops
 * answering (its process is frozen) while offers come to it, so the gateway scores it lower,
 * ranks it second among the nodes serving the model, and sends it less of the traffic; and
 * both nodes' control API status shows the standing the gateway sent them.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeStanding } from '../../common/nodeApi.js';
import { callNode } from '../../demo/nodeControl.js';
import { startDemo, type Demo, type DemoNode } from '../../demo/startDemo.js';

let demo: Demo;
let client: OpenAI;

beforeAll(async () => {
  demo = await startDemo({
    nodes: 2,
    gatewayArgs: [
      '--connect-timeout-ms',
      '300',
      '--market-interval-ms',
      '100',
      // Counted faults would quarantine the node: here the score alone must lower its share.
      '--quarantine-after',
      '0',
    ],
  });
  client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await demo?.stop();
});

const ask = (content: string, pin?: string) =>
  client.chat.completions.create(
    { model: 'tiny', messages: [{ role: 'user', content }], max_tokens: 4, temperature: 0 },
    pin ? { headers: { 'x-byoi-route': pin } } : undefined,
  );

/** The standing a node's control API shows, once the gateway sent one matching `ok`. */
const standingOf = (node: DemoNode, ok: (standing: NodeStanding) => boolean) =>
  vi.waitFor(
    async () => {
      const status = await callNode(node.control, 'getStatus', {});
      if (!status.standing || !ok(status.standing)) throw new Error('standing not there yet');
      return status.standing;
    },
    { timeout: 10_000, interval: 50 },
  );

describe("a node's standing", () => {
  it('scores a node that lets offers time out lower, sends it less traffic, and tells both nodes', async () => {
    const [steady, flaky] = demo.nodes as [DemoNode, DemoNode];
    // Both serve jobs, so both have a record and tokens served. The steady node serves a
    // few, so that its time to first token is a warm one: the gap between the two scores is
    // then at least the acceptance part's (8 points), one whole step of the ranking (5).
    for (let i = 0; i < 4; i++) await ask(`hello ${i}`, steady.id);
    await ask('hello', flaky.id);

    // Frozen, the flaky node cannot answer offers pinned to it: each one times out.
    flaky.process.child.kill('SIGSTOP');
    try {
      // Two, under the circuit breaker's three: the score alone must lower its share.
      for (let i = 0; i < 2; i++) await expect(ask(`timeout ${i}`, flaky.id)).rejects.toThrow();
    } finally {
      flaky.process.child.kill('SIGCONT');
    }

    // The frame that counts both timeouts (one sent between them counts one).
    const flakyStanding = await standingOf(flaky, (standing) =>
      standing.today.some((incident) => incident.kind === 'offer_timeout' && incident.count >= 2),
    );
    const steadyStanding = await standingOf(steady, (standing) => standing.of === 2);
    expect(flakyStanding.score).toBeLessThan(steadyStanding.score);
    expect(flakyStanding.rank).toBe(2);
    expect(flakyStanding.of).toBe(2);
    expect(flakyStanding.parts.acceptance).toBeLessThan(steadyStanding.parts.acceptance);
    expect(steadyStanding.rank).toBe(1);
    expect(steadyStanding.today).toEqual([]);
    expect(steadyStanding.tokensServed).toBeGreaterThan(0);
    expect(steadyStanding.nextMilestone).toBe(1000);

    // Its breaker is closed: what follows is the score's doing, not the breaker's.
    const routes = await demo.admin<{ data: { nodeId: string | null; state: string }[] }>(
      'GET',
      '/routes',
    );
    expect(routes.data.find((route) => route.nodeId === flaky.id)?.state).toBe('closed');

    // Same price, so the score breaks the tie: the steady node takes the unpinned traffic.
    const from = demo.gateway.logs.length;
    for (let i = 0; i < 6; i++) await ask(`traffic ${i}`);
    const offers = demo.gateway.logs
      .slice(from)
      .filter((line) => line.msg === 'job offered')
      .map((line) => line.nodeId);
    const share = (node: DemoNode) => offers.filter((id) => id === node.id).length;
    expect(share(steady)).toBeGreaterThanOrEqual(6);
    expect(share(flaky)).toBeLessThan(share(steady));
  });
});
