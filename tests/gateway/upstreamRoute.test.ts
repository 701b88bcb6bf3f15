import { once } from 'node:events';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RouteFailure } from '../../gateway/routing/route.js';
import type { UpstreamResult } from '../../gateway/upstream/upstreamClient.js';
import { UpstreamRoute } from '../../gateway/upstream/upstreamRoute.js';
import {
  chunk,
  completion,
  FakeUpstream,
  gate,
  providerRecord,
  recordingSink,
  upstreamJob,
  usageChunk,
} from '../support/fakeUpstream.js';
import { ManualTimers } from '../support/manualTimers.js';

let upstream: FakeUpstream;
const routes: UpstreamRoute[] = [];

beforeEach(async () => {
  upstream = await FakeUpstream.start();
});

afterEach(async () => {
  for (const route of routes.splice(0)) route.retire();
  await upstream.close();
});

function route(overrides: Parameters<typeof providerRecord>[1] = {}, options = {}): UpstreamRoute {
  const made = new UpstreamRoute(providerRecord(upstream.baseUrl, overrides), options);
  routes.push(made);
  return made;
}

async function failure(promise: Promise<unknown>): Promise<RouteFailure> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RouteFailure);
  return error as RouteFailure;
}

const KEY_A = 'sk-test-alpha-1111';
const KEY_B = 'sk-test-bravo-2222';

describe('UpstreamRoute', () => {
  it('is a route named after the provider, priced by it', () => {
    const r = route();
    expect([r.id, r.label, r.kind, r.nodeId, r.ownerOrgId]).toEqual([
      'fake',
      'fake',
      'upstream',
      null,
      null,
    ]);
    expect(r.models()).toEqual(['m']);
    expect(r.priceFor('m')).toEqual({ prompt: 1, completion: 2 });
    expect(r.priceFor('fake-model')).toBeUndefined();
    expect(r.costFor('m')).toEqual({ prompt: 0.5, completion: 1 });
    expect(r.costFor('other')).toBeNull();
    expect(r.capacity('m')).toBe('ready');
    expect(r.capacity('other')).toBe('unavailable');
    expect(route({ enabled: false }).capacity('m')).toBe('unavailable');
  });

  it('shows no key when logged or inspected', () => {
    const r = route({ apiKeys: [KEY_A, KEY_B] });
    expect(JSON.stringify(r)).not.toContain(KEY_A);
    expect(JSON.stringify(r)).toContain('sk-…1111');
    expect(inspect(r, { depth: 10 })).not.toContain(KEY_B);
  });

  it('passes a completion through with the provider model id, and uses keys in turn', async () => {
    const r = route({ apiKeys: [KEY_A, KEY_B] });
    const extra = { user: 'u-1', metadata: { tag: 'x' }, temperature: 0.2 };
    const results: UpstreamResult[] = [];
    for (let i = 0; i < 3; i++) results.push(await r.run(upstreamJob({ extra }), recordingSink()));
    expect(upstream.calls.map((call) => call.headers.authorization)).toEqual([
      `Bearer ${KEY_A}`,
      `Bearer ${KEY_B}`,
      `Bearer ${KEY_A}`,
    ]);
    const sent = upstream.calls[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.body).toEqual({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Say hello' }],
      ...extra,
    });
    const result = results[0]!;
    expect(result.body).toEqual(completion('ok'));
    expect(result.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
    expect(result.finishReason).toBe('stop');
    expect(result.estimated).toBeUndefined();
  });

  it('streams chunks through field by field and holds back the usage chunk', async () => {
    const sent = [
      chunk({ role: 'assistant', content: '', refusal: null }),
      chunk({ content: 'Hel' }, null, { system_fingerprint: 'fp_1', x_vendor: { n: 1 } }),
      {
        ...chunk({ content: 'lo' }),
        choices: [
          {
            index: 0,
            delta: { content: 'lo' },
            finish_reason: null,
            logprobs: {
              content: [{ token: 'lo', logprob: -0.1, bytes: [108, 111], top_logprobs: [] }],
            },
          },
        ],
      },
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ refusal: 'no' }),
      chunk({}, 'tool_calls'),
    ];
    upstream.script((call) => {
      call.sseStart();
      for (const piece of sent) call.sse(piece);
      call.sse(usageChunk(11, 6));
      call.sseEnd();
    });
    const sink = recordingSink();
    const result = await route().run(
      upstreamJob({ stream: true, extra: { stream_options: { include_usage: false }, seed: 3 } }),
      sink,
    );
    expect(upstream.calls[0]!.body).toMatchObject({
      model: 'fake-model',
      stream: true,
      seed: 3,
      stream_options: { include_usage: true },
    });
    expect(sink.chunks.map((c) => JSON.stringify(c))).toEqual(sent.map((c) => JSON.stringify(c)));
    expect(result.usageChunk).toEqual(usageChunk(11, 6));
    expect(result.usage).toEqual({ promptTokens: 11, completionTokens: 6 });
    expect(result.finishReason).toBe('tool_calls');
    expect(result.estimated).toBeUndefined();
  });

  it('estimates usage when a stream has none, and says so', async () => {
    upstream.script((call) => {
      call.sseStart();
      call.sse(chunk({ role: 'assistant', content: '' }));
      // One event split across writes, with CRLF line ends.
      call.raw('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,');
      call.raw('"delta":{"content":"a"},"finish_reason":null}]}\r\n\r\n');
      call.sse(chunk({ content: 'b' }));
      call.sse(chunk({ content: 'c' }, 'length'));
      call.sseEnd();
    });
    const job = upstreamJob({ stream: true });
    const sink = recordingSink();
    const result = await route().run(job, sink);
    expect(sink.chunks).toHaveLength(4);
    expect(result.usageChunk).toBeUndefined();
    expect(result.estimated).toBe(true);
    expect(result.finishReason).toBe('length');
    expect(result.usage).toEqual({
      promptTokens: Math.ceil(JSON.stringify(job.body.messages).length / 4),
      completionTokens: 3,
    });
  });

  it('disables a key the provider refuses and shows it masked', async () => {
    const r = route({ apiKeys: [KEY_A, KEY_B] });
    upstream.script((call) =>
      call.json(401, {
        error: {
          message: `Incorrect API key provided: ${KEY_A}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    );
    const refused = await failure(r.run(upstreamJob(), recordingSink()));
    expect(refused.kind).toBe('key');
    expect(refused.options.status).toBe(401);
    expect(refused.options.retrySameRoute).toBe(true);
    expect(refused.message).not.toContain(KEY_A);
    expect(r.keyStates()).toEqual([
      {
        masked: 'sk-…1111',
        state: 'disabled',
        reason: expect.stringContaining('401'),
        restingUntil: null,
      },
      { masked: 'sk-…2222', state: 'active', reason: null, restingUntil: null },
    ]);
    expect(JSON.stringify(r.keyStates())).not.toContain(KEY_A);
    await r.run(upstreamJob(), recordingSink());
    await r.run(upstreamJob(), recordingSink());
    expect(upstream.calls.slice(1).map((call) => call.headers.authorization)).toEqual([
      `Bearer ${KEY_B}`,
      `Bearer ${KEY_B}`,
    ]);
    upstream.script((call) => call.json(403, { error: { message: 'forbidden' } }));
    const last = await failure(r.run(upstreamJob(), recordingSink()));
    expect(last.options.retrySameRoute).toBe(false);
    expect(r.capacity('m')).toBe('unavailable');
    expect((await failure(r.run(upstreamJob(), recordingSink()))).kind).toBe('key');
  });

  it('rests a rate-limited key for Retry-After and wakes the queue when it is back', async () => {
    const timers = new ManualTimers();
    const r = route({ apiKeys: [KEY_A] }, { timers, now: () => timers.now });
    const onCapacity = vi.fn();
    r.onCapacity = onCapacity;
    upstream.script((call) =>
      call.json(429, { error: { message: 'slow down' } }, { 'retry-after': '30' }),
    );
    const limited = await failure(r.run(upstreamJob(), recordingSink()));
    expect(limited.kind).toBe('key');
    expect(limited.options.retryAfterMs).toBe(30_000);
    expect(limited.options.retrySameRoute).toBe(false);
    expect(r.keyStates()[0]).toMatchObject({
      state: 'resting',
      restingUntil: new Date(30_000).toISOString(),
    });
    expect(r.capacity('m')).toBe('busy');
    expect(timers.armed).toEqual([[30_000, true]]);
    const resting = await failure(r.run(upstreamJob(), recordingSink()));
    expect(resting.kind).toBe('busy');
    expect(upstream.calls).toHaveLength(1);
    onCapacity.mockClear();
    await timers.advance(30_000);
    expect(onCapacity).toHaveBeenCalledTimes(1);
    expect(r.capacity('m')).toBe('ready');
    await r.run(upstreamJob(), recordingSink());
  });

  it('gives a provider 4xx back as the client error the provider said', async () => {
    upstream.script((call) =>
      call.json(400, {
        error: {
          message: "'temperature' is too high",
          type: 'invalid_request_error',
          code: 'bad_temp',
          param: 'temperature',
        },
      }),
    );
    const rejected = await failure(route().run(upstreamJob(), recordingSink()));
    expect(rejected.kind).toBe('client');
    expect(rejected.options.status).toBe(400);
    expect(rejected.options.clientError?.toBody()).toEqual({
      error: {
        message: "'temperature' is too high",
        type: 'invalid_request_error',
        code: 'bad_temp',
        param: 'temperature',
      },
    });
  });

  it('calls 5xx and 408 status failures', async () => {
    upstream.script(
      (call) => call.json(503, { error: { message: 'overloaded' } }),
      (call) => call.json(408, {}),
    );
    const r = route();
    const unavailable = await failure(r.run(upstreamJob(), recordingSink()));
    expect([unavailable.kind, unavailable.options.status, unavailable.afterOutput]).toEqual([
      'status',
      503,
      false,
    ]);
    expect((await failure(r.run(upstreamJob(), recordingSink()))).options.status).toBe(408);
  });

  it('fails with connect when nothing listens', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const r = new UpstreamRoute(providerRecord(`http://127.0.0.1:${port}/v1`));
    routes.push(r);
    const refused = await failure(r.run(upstreamJob(), recordingSink()));
    expect(refused.kind).toBe('connect');
    expect(refused.message).toContain('ECONNREFUSED');
    expect(r.inFlight()).toBe(0);
  });

  it('times out when no chunk comes, and closes the upstream request', async () => {
    const held = gate();
    upstream.script(async (call) => {
      call.sseStart();
      await held.promise;
    });
    const timedOut = await failure(
      route().run(upstreamJob({ stream: true, firstTokenTimeoutMs: 50 }), recordingSink()),
    );
    expect(timedOut.kind).toBe('timeout');
    expect(timedOut.afterOutput).toBe(false);
    await upstream.calls[0]!.closed;
    held.open();
  });

  it('times out a non-stream whose body does not come in time', async () => {
    upstream.script((call) => {
      call.res.writeHead(200, { 'content-type': 'application/json' });
      call.res.write('{"id":');
    });
    const timedOut = await failure(
      route().run(upstreamJob({ firstTokenTimeoutMs: 50 }), recordingSink()),
    );
    expect(timedOut.kind).toBe('timeout');
    await upstream.calls[0]!.closed;
  });

  it('stops the upstream request when the client goes away', async () => {
    const controller = new AbortController();
    upstream.script((call) => {
      call.sseStart();
      call.sse(chunk({ content: 'first' }));
    });
    const sink = recordingSink();
    const running = failure(
      route().run(upstreamJob({ stream: true, signal: controller.signal }), sink),
    );
    await sink.first;
    controller.abort();
    await upstream.calls[0]!.closed;
    expect(upstream.calls[0]!.isClosed).toBe(true);
    expect((await running).afterOutput).toBe(true);
  });

  it('says afterOutput when a stream breaks mid-way', async () => {
    upstream.script(async (call) => {
      call.sseStart();
      call.sse(chunk({ content: 'Hello' }));
      call.sse(chunk({ content: ' wor' }));
      await new Promise((resolve) => setImmediate(resolve));
      call.destroy();
    });
    const sink = recordingSink();
    const broke = await failure(route().run(upstreamJob({ stream: true }), sink));
    expect(broke.afterOutput).toBe(true);
    expect(broke.options.produced).toEqual({ text: 'Hello wor', chunks: 2 });
    expect(sink.chunks).toHaveLength(2);
  });

  it('says afterOutput for an error event inside a stream', async () => {
    upstream.script((call) => {
      call.sseStart();
      call.sse(chunk({ content: 'Hi' }));
      call.sse({ error: { message: 'model crashed', type: 'server_error' } });
      call.sseEnd(false);
    });
    const broke = await failure(route().run(upstreamJob({ stream: true }), recordingSink()));
    expect(broke.afterOutput).toBe(true);
    expect(broke.message).toContain('model crashed');
  });

  it('is busy at maxConcurrent and calls onCapacity when a try ends', async () => {
    const r = route({ maxConcurrent: 1 });
    const onCapacity = vi.fn();
    r.onCapacity = onCapacity;
    const held = gate();
    upstream.script(async (call) => {
      await held.promise;
      call.json(200, completion('late'));
    });
    const running = r.run(upstreamJob(), recordingSink());
    expect(r.capacity('m')).toBe('busy');
    expect(r.inFlight()).toBe(1);
    await upstream.call(0);
    expect(onCapacity).not.toHaveBeenCalled();
    held.open();
    expect((await running).body).toEqual(completion('late'));
    expect(onCapacity).toHaveBeenCalledTimes(1);
    expect(r.capacity('m')).toBe('ready');
  });
});
