/**
 * The provider's controls on real processes: a gateway and two real nodes, driven through
 * each node's control API. Node A runs idle-only with a stand-in user-activity source (the
 * test reports idle time through `reportSignals`, as the Electron shell's powerMonitor
 * would): it waits while the user is active, serves once idle, and pauses at once when the
 * user is back. While it is not serving, the gateway routes to node B. Prices set on a node
 * reach the gateway without a reconnect, and served jobs show up in stats and earnings.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callNode } from '../../demo/nodeControl.js';
import { startDemo, type Demo, type DemoNode } from '../../demo/startDemo.js';
import type { LogLine } from '../../demo/jsonProcess.js';
import type { NodeStatus } from '../../common/nodeApi.js';

let demo: Demo;
let client: OpenAI;
let nodeA: DemoNode;
let nodeB: DemoNode;

beforeAll(async () => {
  demo = await startDemo({ nodes: 2 });
  [nodeA, nodeB] = demo.nodes as [DemoNode, DemoNode];
  client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await demo?.stop();
});

const ask = () =>
  client.chat.completions.create({
    model: 'tiny',
    messages: [{ role: 'user', content: 'hello' }],
    max_tokens: 6,
    temperature: 0,
  });

/** Runs `action`, then waits for the gateway's availability log for `node`. */
async function availabilityAfter(
  node: DemoNode,
  serving: boolean,
  action: () => Promise<unknown>,
): Promise<LogLine> {
  const mark = demo.gateway.logs.length;
  await action();
  return demo.gateway.waitForLog(
    (line) =>
      line.msg === 'node availability' && line.nodeId === node.id && line.serving === serving,
    mark,
  );
}

/** Asks once and returns the node the gateway offered the job to. */
async function servedBy(): Promise<string> {
  const mark = demo.gateway.logs.length;
  const completion = await ask();
  expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
  const offers = demo.gateway.logs.slice(mark).filter((line) => line.msg === 'job offered');
  expect(offers).toHaveLength(1);
  return String(offers[0]!.nodeId);
}

describe('provider controls, end to end', () => {
  it('a new headless node serves always, and says so in GET /api/status', async () => {
    const response = await fetch(`${nodeA.control.url}/api/status`, {
      headers: { authorization: `Bearer ${nodeA.control.token}` },
    });
    expect(response.status).toBe(200);
    const status = (await response.json()) as NodeStatus;
    expect(status.schedule).toMatchObject({ mode: 'always', state: 'serving' });
    expect(status.schedule.reason).toMatch(/always/);
    expect(status.schedule.reasonCode).toEqual({ code: 'schedule.always', params: {} });
    expect(status.stats).toMatchObject({
      requests: expect.any(Number),
      completionTokens: expect.any(Number),
    });
    expect(status.earnings).toMatchObject({
      pending: expect.any(Number),
      settled: expect.any(Number),
    });
    expect(status.link).toMatchObject({ state: 'online', nodeId: nodeA.id });
  });

  it('idle-only: waits while the user is active, and the gateway routes to the other node', async () => {
    await availabilityAfter(nodeA, false, async () => {
      await callNode(nodeA.control, 'updateSettings', {
        schedule: { mode: 'idle', idleThresholdSeconds: 60 },
      });
      await callNode(nodeA.control, 'reportSignals', { userIdleSeconds: 5 });
    });
    const status = await callNode(nodeA.control, 'getStatus', {});
    expect(status.schedule.mode).toBe('idle');
    expect(status.schedule.state).not.toBe('serving');
    expect(status.schedule.signals.userIdleSeconds).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < 3; i++) expect(await servedBy()).toBe(nodeB.id);
  });

  it('serves once idle past the threshold', async () => {
    const line = await availabilityAfter(nodeA, true, () =>
      callNode(nodeA.control, 'reportSignals', { userIdleSeconds: 61 }),
    );
    expect(String(line.reason)).toMatch(/idle/);
    // With B paused for an hour, the next job can only go to A.
    await availabilityAfter(nodeB, false, () => callNode(nodeB.control, 'pause', { minutes: 60 }));
    const before = await callNode(nodeA.control, 'getStatus', {});
    const mark = nodeA.process.logs.length;
    expect(await servedBy()).toBe(nodeA.id);
    await nodeA.process.waitForLog((l) => l.msg === 'receipt stored', mark);
    const after = await callNode(nodeA.control, 'getStatus', {});
    expect(after.stats.requests).toBe(before.stats.requests + 1);
    expect(after.stats.completionTokens).toBeGreaterThan(before.stats.completionTokens);
    expect(after.earnings.settled).toBeGreaterThan(before.earnings.settled);
    const earnings = await callNode(nodeA.control, 'getEarnings', {});
    expect(earnings.perModel.map((point) => point.key)).toEqual(['tiny']);
    expect(earnings.discrepancies).toEqual([]);
  });

  it('pauses at once when the user is back, with the reason recorded', async () => {
    const line = await availabilityAfter(nodeA, false, () =>
      callNode(nodeA.control, 'reportSignals', { userIdleSeconds: 0 }),
    );
    expect(line.reason).toBe('paused: user active');
    const status = await callNode(nodeA.control, 'getStatus', {});
    const userActive = { code: 'schedule.userActive', params: {} };
    expect(status.schedule).toMatchObject({ state: 'paused', reason: 'paused: user active' });
    expect(status.schedule.reasonCode).toEqual(userActive);
    expect(status.schedule.decisions[0]).toMatchObject({
      state: 'paused',
      reason: 'paused: user active',
      reasonCode: userActive,
    });
    expect(status.schedule.decisions.some((d) => d.state === 'serving')).toBe(true);
    // Both nodes paused: nobody can take the job.
    await expect(ask()).rejects.toMatchObject({ status: 503 });
    const statusAfter = await callNode(nodeA.control, 'getStatus', {});
    expect(statusAfter.stats.rejections).toEqual({});
  });

  it('a resumed node serves again', async () => {
    await availabilityAfter(nodeB, true, () => callNode(nodeB.control, 'resume', {}));
    expect(await servedBy()).toBe(nodeB.id);
  });

  it('a new price reaches the gateway on the next offer, without reconnecting', async () => {
    const mark = demo.gateway.logs.length;
    await callNode(nodeB.control, 'setPrice', { price: { prompt: 0.5, completion: 0.9 } });
    await demo.gateway.waitForLog(
      (line) => line.msg === 'node announced' && line.nodeId === nodeB.id,
      mark,
    );
    await servedBy();
    const usage = await demo.admin<{
      data: { nodeId: string; price: { prompt: number; completion: number } }[];
    }>('GET', `/usage?orgId=${demo.orgId}&limit=1`);
    expect(usage.data[0]).toMatchObject({
      nodeId: nodeB.id,
      price: { prompt: 0.5, completion: 0.9 },
    });
    expect(nodeB.process.logs.slice(mark).filter((line) => line.msg === 'link offline')).toEqual(
      [],
    );
    const settings = await callNode(nodeB.control, 'getSettings', {});
    expect(settings.pricing.default).toEqual({ prompt: 0.5, completion: 0.9 });
  });
});
