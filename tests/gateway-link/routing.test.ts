/**
 * Routing over real links: the idle node first, then the faster one, then the cheaper one;
 * failover before the first chunk (reject, node error, link loss, no answer); 404 when no
 * node serves the model and 503 when none can take it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway({ offerTimeoutMs: 1000 });
});

afterAll(async () => {
  await t?.close();
});

// One gateway for the file; each test gets its own model id, so earlier nodes never compete.
beforeEach(() => {
  m = `model-${++serial}`;
});

const ask = (modelId: string) =>
  t.client.chat.completions.create({ model: modelId, messages: USER });

describe('choosing a node', () => {
  it('prefers the idle node, then the faster one, over the cheaper one', async () => {
    const cheap = await t.connectNode([model(m, { price: { prompt: 1, completion: 1 } })]);
    const pricey = await t.connectNode([model(m, { price: { prompt: 2, completion: 2 } })]);

    // Both idle and unmeasured: the cheaper node gets the first job.
    const first = ask(m);
    const firstOffer = await cheap.link.acceptNext();
    // The cheap node is busy now: the idle one gets the second job despite its price.
    const second = ask(m);
    const secondOffer = await pricey.link.acceptNext();
    expect(secondOffer.price).toEqual({ prompt: 2, completion: 2 });

    // The cheap node turns out slow (1 token/s), the pricey one fast (100 tokens/s).
    cheap.link.chunks(firstOffer.jobId, ['a']);
    cheap.link.done(firstOffer.jobId, { promptTokens: 3, completionTokens: 10 }, 10_000);
    pricey.link.chunks(secondOffer.jobId, ['b']);
    pricey.link.done(secondOffer.jobId, { promptTokens: 3, completionTokens: 10 }, 100);
    expect((await first).choices[0]?.message.content).toBe('a');
    expect((await second).choices[0]?.message.content).toBe('b');

    // Both idle again: speed beats price.
    const third = ask(m);
    await pricey.link.serveNext(['c']);
    expect((await third).choices[0]?.message.content).toBe('c');
    expect(cheap.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);
  });

  it('skips nodes whose slots are full and nodes priced above the gateway’s maximum', async () => {
    const full = await t.connectNode([model(m, { slots: 1 })]);
    const greedy = await t.connectNode([model(m, { price: { prompt: 50, completion: 1 } })]);
    const held = ask(m);
    const heldOffer = await full.link.acceptNext();
    // The only affordable node is full.
    await expect(ask(m)).rejects.toMatchObject({ status: 503, code: 'no_capacity' });
    expect(greedy.link.pending()).toEqual([]);
    full.link.chunks(heldOffer.jobId, ['x']);
    full.link.done(heldOffer.jobId);
    await held;
  });
});

describe('failover before the first chunk', () => {
  it('tries the next node when one rejects', async () => {
    const busy = await t.connectNode([model(m, { price: { prompt: 1, completion: 1 } })]);
    const spare = await t.connectNode([model(m, { price: { prompt: 2, completion: 2 } })]);
    const reply = ask(m);
    const offer = await busy.link.next('job.offer');
    busy.link.send({ type: 'job.reject', jobId: offer.jobId, reason: 'busy', message: 'full' });
    const retried = await spare.link.serveNext(['from spare']);
    expect(retried.jobId).not.toBe(offer.jobId);
    expect(retried.request).toEqual(offer.request);
    expect((await reply).choices[0]?.message.content).toBe('from spare');
  });

  it('tries the next node when one reports an error before any output', async () => {
    const broken = await t.connectNode([model(m, { price: { prompt: 1, completion: 1 } })]);
    const spare = await t.connectNode([model(m, { price: { prompt: 2, completion: 2 } })]);
    const reply = ask(m);
    const offer = await broken.link.acceptNext();
    broken.link.send({
      type: 'job.error',
      jobId: offer.jobId,
      error: {
        status: 500,
        message: 'GPU fell off',
        type: 'server_error',
        code: null,
        param: null,
      },
    });
    await spare.link.serveNext(['ok']);
    expect((await reply).choices[0]?.message.content).toBe('ok');
  });

  it('tries the next node when the link drops after accepting', async () => {
    const flaky = await t.connectNode([model(m, { price: { prompt: 1, completion: 1 } })]);
    const spare = await t.connectNode([model(m, { price: { prompt: 2, completion: 2 } })]);
    const reply = ask(m);
    await flaky.link.acceptNext();
    flaky.link.ws.terminate();
    await spare.link.serveNext(['survived']);
    expect((await reply).choices[0]?.message.content).toBe('survived');
  });

  it('tries the next node when one does not answer the offer in time, and cancels it there', async () => {
    const silent = await t.connectNode([model(m, { price: { prompt: 1, completion: 1 } })]);
    const spare = await t.connectNode([model(m, { price: { prompt: 2, completion: 2 } })]);
    const reply = ask(m);
    const offer = await silent.link.next('job.offer');
    await spare.link.serveNext(['late but fine']);
    expect(await silent.link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    expect((await reply).choices[0]?.message.content).toBe('late but fine');
  });

  it('answers 503 when every node rejects, and a node’s own 4xx when that was the reason', async () => {
    const only = await t.connectNode([model(m)]);
    const rejected = ask(m);
    const offer = await only.link.next('job.offer');
    only.link.send({ type: 'job.reject', jobId: offer.jobId, reason: 'paused', message: 'paused' });
    await expect(rejected).rejects.toMatchObject({ status: 503, code: 'no_capacity' });

    const tooLong = ask(m);
    const second = await only.link.acceptNext();
    only.link.send({
      type: 'job.error',
      jobId: second.jobId,
      error: {
        status: 400,
        message: 'The prompt is longer than the context',
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
      },
    });
    await expect(tooLong).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});

describe('no node for the model', () => {
  it('answers 404 model_not_found when no online node serves it', async () => {
    await t.connectNode([model('other')]);
    await expect(ask('missing')).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
  });
});
