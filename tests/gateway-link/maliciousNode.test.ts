/**
 * A dishonest node, built from the real protocol, against a real in-process gateway: each
 * attack and the defence that holds. Over-reported usage is billed at the bound
 * (usageBounds.test.ts), phishing error text is relabelled (routing.test.ts), a stream that
 * stalls mid-way continues elsewhere (continuation.test.ts) and frame floods are coalesced
 * (frameFlood.test.ts); here: faults add up to a quarantine that only an operator lifts, a
 * node that accepts and then sends nothing loses the job to an honest one, and announcing
 * many slots wins nothing in the ranking.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../gateway/store/types.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
const FIRST_TOKEN_TIMEOUT_MS = 300;
const QUARANTINE_AFTER = 2;

let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway({
    firstTokenTimeoutMs: FIRST_TOKEN_TIMEOUT_MS,
    quarantineAfter: QUARANTINE_AFTER,
  });
});

afterAll(async () => {
  await t?.close();
});

// Each test gets its own model id, so earlier nodes never compete.
beforeEach(() => {
  m = `model-${++serial}`;
});

const ask = (modelId: string) =>
  t.client.chat.completions.create({ model: modelId, messages: USER });

const admin = (method: string, path: string) =>
  fetch(`${t.gateway.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${t.gateway.adminToken}` },
  });

async function adminNode(nodeId: string): Promise<NodeRecord> {
  await t.gateway.router.standing.settled();
  const { data } = (await (await admin('GET', '/nodes')).json()) as { data: NodeRecord[] };
  return data.find((node) => node.id === nodeId)!;
}

const listedModels = async () => (await t.client.models.list()).data.map((entry) => entry.id);

describe('a node whose faults add up', () => {
  it('is quarantined: it gets no offers and its models leave the listing until an operator clears it', async () => {
    const cheat = await t.connectNode([model(m)]);
    for (let i = 0; i < QUARANTINE_AFTER; i++) {
      const reply = ask(m);
      await cheat.link.serveNext(['few'], { promptTokens: 2 ** 31 - 1, completionTokens: 10 ** 6 });
      await reply;
    }
    const quarantined = await adminNode(cheat.nodeId);
    expect(quarantined.quarantinedAt).not.toBeNull();
    expect(quarantined.faults).toEqual([
      expect.objectContaining({ kind: 'usage_over_report', count: QUARANTINE_AFTER }),
    ]);
    expect(await listedModels()).not.toContain(m);
    await expect(ask(m)).rejects.toMatchObject({ status: 404 });
    // Still linked: nothing was offered meanwhile.
    await cheat.link.sync();
    expect(cheat.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);

    const cleared = await admin('POST', `/nodes/${cheat.nodeId}/clear-faults`);
    expect(await cleared.json()).toEqual({ id: cheat.nodeId, cleared: true });
    expect(await adminNode(cheat.nodeId)).toMatchObject({ quarantinedAt: null, faults: [] });
    expect(await listedModels()).toContain(m);
    const reply = ask(m);
    await cheat.link.serveNext(['honest now']);
    expect((await reply).choices[0]?.message.content).toBe('honest now');
    expect((await admin('POST', '/nodes/node_missing/clear-faults')).status).toBe(404);
  });
});

describe('a node that accepts and then sends nothing', () => {
  it('loses the job to an honest node after the first-token deadline, and the stall is a fault', async () => {
    const staller = await t.connectNode([model(m, { price: { prompt: 0.1, completion: 0.1 } })]);
    const honest = await t.connectNode([model(m)]);
    const started = performance.now();
    const reply = ask(m);
    const offer = await staller.link.acceptNext();
    await honest.link.serveNext(['served anyway']);
    expect((await reply).choices[0]?.message.content).toBe('served anyway');
    const lostMs = performance.now() - started;
    expect(await staller.link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    expect(lostMs).toBeGreaterThanOrEqual(FIRST_TOKEN_TIMEOUT_MS);
    expect((await adminNode(staller.nodeId)).faults).toEqual([
      expect.objectContaining({ kind: 'no_output', count: 1 }),
    ]);
    // The client paid the honest node only.
    const usage = await t.gateway.store.listUsage({ nodeId: staller.nodeId });
    expect(usage.filter((row) => row.outcome === 'ok')).toEqual([]);
  });
});

describe('a node that announces many slots', () => {
  it('gains nothing in the ranking: with a job each, the cheaper node with fewer slots wins', async () => {
    const rule = {
      orgId: t.clientOrgId,
      model: m,
      strategy: 'pinned' as const,
      routes: ['nodes'],
      weights: null,
      maxPrice: null,
      updatedAt: new Date().toISOString(),
    };
    t.gateway.router.setRules([rule]);
    const greedy = await t.connectNode([model(m, { slots: 1024 })]);
    const honest = await t.connectNode([
      model(m, { slots: 2, price: { prompt: 0.5, completion: 1 } }),
    ]);
    // One job in flight on each.
    const first = ask(m);
    const second = ask(m);
    const held = await Promise.all([greedy.link.acceptNext(), honest.link.acceptNext()]);
    // Greedy is at 1/1024 of its announced slots, honest at 1/2: slots are only a cap.
    const third = ask(m);
    const thirdOffer = await honest.link.acceptNext();
    honest.link.chunks(thirdOffer.jobId, ['cheaper']);
    honest.link.done(thirdOffer.jobId);
    expect((await third).choices[0]?.message.content).toBe('cheaper');
    greedy.link.chunks(held[0].jobId, ['a']);
    greedy.link.done(held[0].jobId);
    honest.link.chunks(held[1].jobId, ['b']);
    honest.link.done(held[1].jobId);
    await Promise.all([first, second]);
    t.gateway.router.setRules([]);
  });
});
