/**
 * Relaying a node's output to clients: streamed SSE exactly like the node's own endpoint,
 * or collected; a failure after the first chunk ends the stream with an SSE error event
 * (never a silent truncation); a client that goes away cancels the job on the node.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualTimers } from '../support/manualTimers.js';
import { model, type LinkClient } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

beforeEach(() => {
  m = `stream-${++serial}`;
});

/** Reads an SSE body into its `data:` payloads. */
async function sseEvents(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

async function nodeFor(id: string): Promise<LinkClient> {
  return (await t.connectNode([model(id)])).link;
}

describe('streaming', () => {
  it('relays chunks in OpenAI’s chunk format, with usage when asked', async () => {
    const link = await nodeFor(m);
    // Headers go out with the first chunk, so the stream opens once the node answers.
    const opening = t.client.chat.completions.create({
      model: m,
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['Hel', 'lo', '!']);
    link.done(offer.jobId, { promptTokens: 9, completionTokens: 3 });
    const chunks = [];
    for await (const chunk of await opening) chunks.push(chunk);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Hello!');
    const finishes = chunks.flatMap((chunk) => chunk.choices.map((c) => c.finish_reason));
    expect(finishes.filter((reason) => reason !== null)).toEqual(['stop']);
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 3,
      total_tokens: 12,
    });
    expect(offer.request).toMatchObject({ model: m, stream: true, messages: USER });
  });

  it('collects the text when not streaming, with the node’s usage', async () => {
    const link = await nodeFor(m);
    const reply = t.client.chat.completions.create({ model: m, messages: USER });
    await link.serveNext(['one ', 'two'], { promptTokens: 4, completionTokens: 2 });
    const completion = await reply;
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: m,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'one two' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
    });
  });

  it('answers errors before the first chunk as plain HTTP errors, even when streaming', async () => {
    const response = await t.post('/v1/chat/completions', {
      model: 'nobody-serves-this',
      messages: USER,
      stream: true,
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ error: { code: 'model_not_found' } });
  });
});

describe('failure after the first chunk', () => {
  it('ends the stream with an SSE error event when the link drops', async () => {
    const link = await nodeFor(m);
    const response = t.post('/v1/chat/completions', { model: m, messages: USER, stream: true });
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['partial']);
    await link.sync();
    link.ws.terminate();
    const events = await sseEvents(await response);
    expect(events).not.toContain('[DONE]');
    expect(JSON.parse(events.at(-1)!)).toEqual({
      error: {
        message: expect.stringMatching(/went offline/),
        type: 'server_error',
        code: 'node_disconnected',
        param: null,
      },
    });
    const content = events
      .slice(0, -1)
      .map((event) => JSON.parse(event).choices[0].delta.content ?? '')
      .join('');
    expect(content).toBe('partial');
  });

  it('surfaces the node’s error to the OpenAI client after the stream started', async () => {
    const link = await nodeFor(m);
    const opening = t.client.chat.completions.create({ model: m, messages: USER, stream: true });
    const { jobId } = await link.acceptNext();
    link.chunks(jobId, ['so far']);
    link.send({
      type: 'job.error',
      jobId,
      error: {
        status: 500,
        message: 'out of memory',
        type: 'server_error',
        code: 'oom',
        param: null,
      },
    });
    const stream = await opening;
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow(/out of memory/);
    expect(seen.join('')).toBe('so far');
  });

  it('drops a node that misses pongs mid-stream, ending the stream with an error', async () => {
    const timers = new ManualTimers();
    const quick = await startTestGateway({ heartbeatMs: 15_000, clock: timers.clock() });
    try {
      const { link } = await quick.connectNode([model('hb')]);
      const response = quick.post('/v1/chat/completions', {
        model: 'hb',
        messages: USER,
        stream: true,
      });
      const offer = await link.acceptNext();
      link.chunks(offer.jobId, ['before the silence']);
      const opened = await response; // the chunk is out
      link.goSilent();
      // Two pings unanswered, then the third beat drops the link.
      for (let beat = 0; beat < 3; beat++) await timers.advance(15_000);
      const events = await sseEvents(opened);
      expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { code: 'node_disconnected' } });
      expect((await link.closed).code).toBe(1006);
    } finally {
      await quick.close();
    }
  });
});

describe('client disconnects', () => {
  it('cancels the job on the node when a streaming client goes away', async () => {
    const link = await nodeFor(m);
    const abort = new AbortController();
    const opening = t.client.chat.completions.create(
      { model: m, messages: USER, stream: true },
      { signal: abort.signal },
    );
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['first']);
    const stream = await opening;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content === 'first') break; // leaving the loop aborts
    }
    abort.abort();
    expect(await link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
    // Output that was already on its way is ignored, and nothing is charged.
    link.chunks(offer.jobId, ['late'], 1);
    link.done(offer.jobId);
    await link.sync();
    expect(await t.gateway.store.usageFor(offer.jobId)).toBeNull();
  });

  it('cancels the job on the node when a non-streaming client goes away', async () => {
    const link = await nodeFor(m);
    const abort = new AbortController();
    const reply = t.client.chat.completions.create(
      { model: m, messages: USER },
      { signal: abort.signal },
    );
    const offer = await link.acceptNext();
    abort.abort();
    await expect(reply).rejects.toThrow();
    expect(await link.next('job.cancel')).toMatchObject({ jobId: offer.jobId });
  });
});
