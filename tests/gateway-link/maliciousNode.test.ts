/**
 * A dishonest node, built from the real protocol, against a real in-process gateway: each
 * attack and the defence that holds. Over-reported usage is billed at the bound
 * (usageBounds.test.ts), phishing error text is relabelled (routing.test.ts), a stream that
 * stalls mid-way continues elsewhere (continuation.test.ts) and frame floods are coalesced
 * (frameFlood.test.ts); here: faults add up to a quarantine that only an operator lifts, a
 * node that accepts and then sends nothing loses the job to an honest one, a made-up speed
 * and many announced slots win nothing in the ranking, a huge answer is cut off at its token budget, and a key
 * revoked mid-stream ends its stream at once. A request that ended in an error is free.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NodeRecord } from '../../gateway/store/types.js';
import { ManualTimers } from '../support/manualTimers.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
// Job deadlines run on a clock the stall test moves by hand.
const timers = new ManualTimers();
const FIRST_TOKEN_TIMEOUT_MS = 30_000;
const QUARANTINE_AFTER = 2;

let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway({
    firstTokenTimeoutMs: FIRST_TOKEN_TIMEOUT_MS,
    quarantineAfter: QUARANTINE_AFTER,
    clock: timers.clock(),
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
    const reply = ask(m);
    const offer = await staller.link.acceptNext();
    await staller.link.sync(); // the gateway has the accept: the first-token deadline runs
    await timers.advance(FIRST_TOKEN_TIMEOUT_MS - 1);
    expect(honest.link.pending()).toEqual([]);
    await timers.advance(1);
    await honest.link.serveNext(['served anyway']);
    expect((await reply).choices[0]?.message.content).toBe('served anyway');
    expect(await staller.link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    expect((await adminNode(staller.nodeId)).faults).toEqual([
      expect.objectContaining({ kind: 'no_output', count: 1 }),
    ]);
    // The client paid the honest node only.
    const usage = await t.gateway.store.listUsage({ nodeId: staller.nodeId });
    expect(usage.filter((row) => row.outcome === 'ok')).toEqual([]);
  });
});

describe('a node that reports a fake speed', () => {
  it('is ranked by the speed the gateway timed, never by the timings it reports', async () => {
    const { link, nodeId } = await t.connectNode([model(m)]);
    const reply = ask(m);
    const offer = await link.acceptNext();
    await link.sync();
    await timers.advance(500); // 500 ms to the first token, as the gateway sees it
    link.chunks(offer.jobId, ['a']);
    await link.sync();
    await timers.advance(1000); // and 1 s for the second
    link.chunks(offer.jobId, ['b'], 1);
    // It claims the whole job took a microsecond.
    link.done(offer.jobId, { promptTokens: 2, completionTokens: 2 }, 0.001);
    await reply;
    const { data } = (await (await admin('GET', '/routes')).json()) as {
      data: { nodeId: string | null; timeToFirstTokenMs: number; tokensPerSecond: number }[];
    };
    expect(data.find((route) => route.nodeId === nodeId)).toMatchObject({
      timeToFirstTokenMs: 500,
      tokensPerSecond: 2, // 2 tokens in the 1 s after the first; the claim would be 2,000,000
    });
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

describe('a node that sends a huge answer', () => {
  it('is cut off at what max_tokens allows, and the client is charged nothing', async () => {
    const { link, nodeId } = await t.connectNode([model(m)]);
    const reply = t.post('/v1/chat/completions', { model: m, messages: USER, max_tokens: 4 });
    const offer = await link.acceptNext();
    // (4 + 16 allowance) × 128 bytes is the most 4 tokens can carry: 3 of these are over.
    link.chunks(offer.jobId, ['x'.repeat(1000), 'x'.repeat(1000), 'x'.repeat(1000)]);
    expect(await link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    const response = await reply;
    expect(response.status).toBe(502);
    expect(JSON.stringify(await response.json())).not.toContain('xxx');
    expect((await adminNode(nodeId)).faults).toEqual([
      expect.objectContaining({ kind: 'malformed_output', count: 1 }),
    ]);
    expect(await t.gateway.store.usageFor(offer.jobId)).toMatchObject({ chargedNanos: 0 });
  });
});

describe('an API key revoked mid-stream', () => {
  it('ends its open stream at once with an SSE error event, and the node job is cancelled', async () => {
    const { link } = await t.connectNode([model(m)]);
    const { key, info } = await t.gateway.store.createApiKey(t.clientOrgId, 'soon revoked');
    const responded = t.post(
      '/v1/chat/completions',
      { model: m, messages: USER, stream: true },
      key,
    );
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['before ']);
    const response = await responded;
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read(); // the first chunk is out
    expect((await admin('DELETE', `/keys/${info.id}`)).status).toBe(200);
    expect(await link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    let text = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      text += new TextDecoder().decode(r.value);
    }
    const events = text.split('\n\n').filter((event) => event.startsWith('data: '));
    expect(JSON.parse(events.at(-1)!.slice(6))).toMatchObject({
      error: { code: 'invalid_api_key', message: expect.stringContaining('revoked') },
    });
    const rows = await t.gateway.store.listUsage({ orgId: t.clientOrgId });
    expect(rows.filter((row) => row.apiKeyId === info.id)).toEqual([
      expect.objectContaining({ outcome: 'error', chargedNanos: 0 }),
    ]);
    expect((await t.post('/v1/chat/completions', { model: m, messages: USER }, key)).status).toBe(
      401,
    );
  });
});
