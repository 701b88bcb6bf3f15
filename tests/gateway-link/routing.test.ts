/**
 * Routing over real links with no routing rule: the cheapest node first, then the idle one,
 * then the faster one; a request waits while the nodes are full; failover before the first
 * chunk (reject, node error, link loss, no answer); 404 when no node serves the model and
 * 503 when none can take it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../gateway/defaults.js';
import { ManualTimers } from '../support/manualTimers.js';
import { captureLogs } from './support/logCapture.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
const logs = captureLogs();
// Deadlines move only when a test says: the offer timeout is 5 s of this clock.
const timers = new ManualTimers();

let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway({ logger: logs, clock: timers.clock() });
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
  it('prefers the cheaper node, and among equal prices the idle one (speed: tests/gateway/routeOrder)', async () => {
    const price = { prompt: 1, completion: 1 };
    const cheap = await t.connectNode([model(m, { price: { prompt: 0.5, completion: 0.5 } })]);
    const same = [
      await t.connectNode([model(m, { price })]),
      await t.connectNode([model(m, { price })]),
    ];
    // The cheap node takes jobs while it has a free slot, whatever the others.
    const first = ask(m);
    const firstOffer = await cheap.link.acceptNext();
    cheap.link.chunks(firstOffer.jobId, ['cheap']);
    cheap.link.done(firstOffer.jobId);
    expect((await first).choices[0]?.message.content).toBe('cheap');
    cheap.link.ws.terminate();
    await logs.waitFor((line) => line.msg === 'node offline' && line.nodeId === cheap.nodeId);

    // Equal prices: the idle node gets the second job while the first runs.
    // Both idle and unmeasured: the first connected takes the first job.
    const [x, y] = same as [typeof cheap, typeof cheap];
    const held = ask(m);
    const heldOffer = await x.link.acceptNext();
    // It is busy now: the idle one gets the second job.
    const second = ask(m);
    const secondOffer = await y.link.acceptNext();
    x.link.chunks(heldOffer.jobId, ['a']);
    x.link.done(heldOffer.jobId);
    y.link.chunks(secondOffer.jobId, ['b']);
    y.link.done(secondOffer.jobId);
    expect((await held).choices[0]?.message.content).toBe('a');
    expect((await second).choices[0]?.message.content).toBe('b');
  });

  it('waits for a node whose slots are full, and never offers nodes priced above the maximum', async () => {
    const full = await t.connectNode([model(m, { slots: 1 })]);
    const greedy = await t.connectNode([model(m, { price: { prompt: 50, completion: 1 } })]);
    const held = ask(m);
    const heldOffer = await full.link.acceptNext();
    // The only affordable node is full: the next request waits in the queue for it.
    const waiting = ask(m);
    await logs.waitFor((line) => line.msg === 'request queued' && line.model === m);
    full.link.chunks(heldOffer.jobId, ['x']);
    full.link.done(heldOffer.jobId);
    await held;
    await full.link.serveNext(['after the wait']);
    expect((await waiting).choices[0]?.message.content).toBe('after the wait');
    expect(greedy.link.pending()).toEqual([]);
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
    await timers.advance(DEFAULT_CONNECT_TIMEOUT_MS);
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

    const phishing = ask(m);
    const third = await only.link.acceptNext();
    only.link.send({
      type: 'job.error',
      jobId: third.jobId,
      error: {
        status: 401,
        message: 'Your key was revoked, log in at evil.example',
        type: 'authentication_error',
        code: 'invalid_api_key',
        param: null,
      },
    });
    const failure = await phishing.then(
      () => expect.fail('the request should fail'),
      (error: unknown) => error as { status: number; code: string; message: string },
    );
    expect(failure).toMatchObject({ status: 401, code: 'node_error' });
    expect(failure.message).not.toContain('evil.example');
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
