/**
 * Availability over real links: a paused node gets no offers until it resumes; a model whose
 * nodes are all paused is 503 no_capacity (and still listed), not 404; and a node that hands
 * back an accepted job while pausing sends the job to another node, accounted once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceJob } from '../../common/protocol.js';
import { captureLogs, type LogCapture } from './support/logCapture.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let logs: LogCapture;
let m = '';
let serial = 0;

beforeAll(async () => {
  logs = captureLogs();
  t = await startTestGateway({ logger: logs, feeBasisPoints: 1000 });
});

afterAll(async () => {
  await t?.close();
});

// One gateway for the file; each test gets its own model id, so earlier nodes never compete.
beforeEach(() => {
  m = `avail-${++serial}`;
});

const ask = (modelId: string) =>
  t.client.chat.completions.create({ model: modelId, messages: USER });
const CHEAP = { price: { prompt: 1, completion: 1 } };
const DEAR = { price: { prompt: 2, completion: 2 } };

describe('paused nodes', () => {
  it('get no offers while paused, and get them again once they resume', async () => {
    const cheap = await t.connectNode([model(m, CHEAP)]);
    const dear = await t.connectNode([model(m, DEAR)]);

    await cheap.link.availability(false, 'schedule: weekdays 9-17');
    expect(
      await logs.waitFor(
        (line) => line.msg === 'node availability' && line.nodeId === cheap.nodeId,
      ),
    ).toMatchObject({ level: 'info', serving: false, reason: 'schedule: weekdays 9-17' });
    const whilePaused = ask(m);
    await dear.link.serveNext(['from the dear node']);
    expect((await whilePaused).choices[0]?.message.content).toBe('from the dear node');
    expect(cheap.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);

    // Resumed, the cheaper node wins again (both idle; its unknown speed counts as average).
    await cheap.link.availability(true);
    const resumed = ask(m);
    await cheap.link.serveNext(['from the cheap node']);
    expect((await resumed).choices[0]?.message.content).toBe('from the cheap node');
    expect(dear.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);
  });

  it('answer 503 no_capacity when every node of the model is paused, and the model stays listed', async () => {
    const a = await t.connectNode([model(m)]);
    const b = await t.connectNode([model(m)]);
    await a.link.availability(false);
    await b.link.availability(false);

    await expect(ask(m)).rejects.toMatchObject({
      status: 503,
      code: 'no_capacity',
      type: 'server_error',
    });
    expect((await t.client.models.list()).data.map((entry) => entry.id)).toContain(m);
    expect(await t.client.models.retrieve(m)).toMatchObject({ id: m });
    // No online node announces this one at all: still 404.
    await expect(ask(`${m}-nowhere`)).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    expect([...a.link.pending(), ...b.link.pending()].map((frame) => frame.type)).toEqual([]);

    await b.link.availability(true);
    const back = ask(m);
    await b.link.serveNext(['back']);
    expect((await back).choices[0]?.message.content).toBe('back');
  });

  it('start serving on a new link, whatever the last link said', async () => {
    const first = await t.connectNode([model(m)]);
    await first.link.availability(false);
    first.link.close();
    await first.link.closed;
    const again = await t.connectNode([model(m)], first.identity);
    const reply = ask(m);
    await again.link.serveNext(['fresh link']);
    expect((await reply).choices[0]?.message.content).toBe('fresh link');
  });
});

describe('hand-back while pausing', () => {
  it('sends an accepted job with no output to the next node; the client gets it whole, accounted once', async () => {
    const pausing = await t.connectNode([model(m, CHEAP)]);
    const spare = await t.connectNode([model(m, DEAR)]);
    // Not awaited yet: the response starts only with the first chunk, from the second node.
    const text = (async () => {
      const stream = await t.client.chat.completions.create({
        model: m,
        messages: USER,
        stream: true,
        stream_options: { include_usage: true },
      });
      let all = '';
      let tokens: number | undefined;
      for await (const chunk of stream) {
        all += chunk.choices[0]?.delta.content ?? '';
        tokens = chunk.usage?.completion_tokens ?? tokens;
      }
      return { all, tokens };
    })();

    const handedBack = await pausing.link.acceptNext();
    await pausing.link.availability(false, 'pausing');
    pausing.link.handBack(handedBack.jobId);
    const usage = { promptTokens: 5, completionTokens: 3 };
    const served = await spare.link.serveNext(['one', ' two', ' three'], usage);
    expect(served.jobId).not.toBe(handedBack.jobId);
    expect(served.request).toEqual(handedBack.request);
    expect(await text).toEqual({ all: 'one two three', tokens: 3 });

    await spare.link.next('receipt');
    expect(await t.gateway.store.usageFor(handedBack.jobId)).toBeNull();
    expect(await t.gateway.store.listUsage({ nodeId: pausing.nodeId })).toEqual([]);
    const rows = await t.gateway.store.listUsage({ nodeId: spare.nodeId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      jobId: served.jobId,
      ...usage,
      price: DEAR.price,
      ...priceJob(DEAR.price, 5, 3, 1000),
    });
    expect(pausing.link.pending().filter((frame) => frame.type === 'receipt')).toEqual([]);
  });
});
