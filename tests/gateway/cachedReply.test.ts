/**
 * The response cache's entries: recorded from what a route produced (node deltas, upstream
 * chunks or body), refused when they must not be cached, and replayed through a real Fastify
 * app, whole or streamed, in the same chunk shape as a live stream through StreamRelay.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolCallDeltas, type ChatDelta } from '../../common/chatDelta.js';
import { chatCompletionRequestSchema, usageOf } from '../../common/openai.js';
import { StreamRelay } from '../../gateway/api/streamRelay.js';
import {
  CACHE_HEADER,
  contentPieces,
  parseCachedReply,
  ReplyRecorder,
  replayCached,
  type CachedReply,
} from '../../gateway/policy/cachedReply.js';
import type { DispatchResult } from '../../gateway/routing/dispatchTypes.js';
import type { Route } from '../../gateway/routing/route.js';

const NODE = { id: 'node:n1', kind: 'node', label: 'node' } as unknown as Route;
const UPSTREAM = { id: 'acme', kind: 'upstream', label: 'acme' } as unknown as Route;
const PRICE = { prompt: 0.5, completion: 1.5 };

function served(route: Route, finishReason: string, extra: Partial<DispatchResult> = {}) {
  const segment = {
    route,
    jobId: 'job_1',
    price: PRICE,
    cost: null,
    promptTokens: 12,
    completionTokens: 7,
  };
  return {
    route,
    attempts: 1,
    routes: [route.id],
    segments: [segment],
    finishReason,
    usage: { promptTokens: 12, completionTokens: 7 },
    timeToFirstTokenMs: 5,
    latencyMs: 9,
    ...extra,
  } satisfies DispatchResult;
}

/** What a node streams: text, then one tool call, header and arguments in one delta. */
const LIVE_DELTAS: ChatDelta[] = [
  { content: 'Hello, wörld 👋' },
  { tool_calls: new ToolCallDeltas().piece(0, 'weather', '{"city":"Paris"}') },
];
const USAGE = usageOf(12, 7);

interface SseChunk {
  id: string;
  created: number;
  model: string;
  choices: {
    delta: { content?: string; tool_calls?: { id?: string; function: Record<string, string> }[] };
    finish_reason: string | null;
  }[];
  usage?: unknown;
}

/** The `data:` events of an SSE body, `[DONE]` as the string. */
function events(body: string): (SseChunk | '[DONE]')[] {
  return body
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? '[DONE]' : (JSON.parse(data) as SseChunk)));
}

/** Chunks with what differs between two answers (ids, time) blanked. */
function shape(chunks: (SseChunk | '[DONE]')[]): unknown[] {
  return chunks.map((chunk) => {
    if (chunk === '[DONE]') return chunk;
    const copy = structuredClone(chunk);
    copy.id = 'ID';
    copy.created = 0;
    for (const choice of copy.choices) {
      for (const call of choice.delta.tool_calls ?? []) if (call.id) call.id = 'CALL';
    }
    return copy;
  });
}

let app: FastifyInstance;
let entry: CachedReply;

beforeAll(async () => {
  app = Fastify();
  // A live node answer, streamed through the relay, recorded on the way.
  app.post('/live', async (request, reply) => {
    const recorder = new ReplyRecorder();
    const relay = new StreamRelay(reply, 'chatcmpl-live', 'tiny');
    const sink = recorder.tee({ delta: (d) => relay.delta(d), chunk: (c) => relay.chunk(c) });
    for (const delta of LIVE_DELTAS) sink.delta(delta);
    const recorded = recorder.entry(served(NODE, 'tool_calls'));
    // What the store gives back: JSON, then validated.
    entry = parseCachedReply(JSON.parse(JSON.stringify(recorded)))!;
    const body = request.body as { stream_options?: { include_usage?: boolean } };
    relay.finish('tool_calls', body.stream_options?.include_usage ? USAGE : null);
  });
  app.post('/replay', async (request, reply) =>
    replayCached(reply, entry, {
      request: chatCompletionRequestSchema.parse(request.body),
      headers: { 'x-byoi-route': 'cache' },
    }),
  );
  await app.ready();
});

afterAll(() => app.close());

const ask = (url: string, extra: Record<string, unknown> = {}) =>
  app.inject({
    method: 'POST',
    url,
    payload: { model: 'tiny', messages: [{ role: 'user', content: 'Hi' }], ...extra },
  });
const STREAM = { stream: true, stream_options: { include_usage: true } };

describe('a cached reply', () => {
  it('is recorded from the live stream', async () => {
    await ask('/live', STREAM);
    expect(entry).toEqual({
      v: 1,
      content: 'Hello, wörld 👋',
      toolCalls: [{ name: 'weather', arguments: '{"city":"Paris"}' }],
      finishReason: 'tool_calls',
      usage: { promptTokens: 12, completionTokens: 7 },
      route: { id: 'node:n1', label: 'node', kind: 'node' },
      price: PRICE,
    });
  });

  it('replays as a stream in the live chunk shape, usage chunk only when asked', async () => {
    const live = await ask('/live', STREAM);
    const replay = await ask('/replay', STREAM);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(replay.headers[CACHE_HEADER]).toBe('hit');
    expect(replay.headers['x-byoi-route']).toBe('cache');
    const chunks = events(replay.body);
    expect(shape(chunks)).toEqual(shape(events(live.body)));
    // role, content, tool call, finish, usage, [DONE]
    expect(chunks).toHaveLength(6);
    expect(chunks.at(-2)).toMatchObject({ choices: [], usage: USAGE });
    expect(chunks.at(-1)).toBe('[DONE]');
    const ids = new Set(chunks.flatMap((chunk) => (chunk === '[DONE]' ? [] : [chunk.id])));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);

    const withoutUsage = events((await ask('/replay', { stream: true })).body);
    expect(withoutUsage.some((chunk) => chunk !== '[DONE]' && 'usage' in chunk)).toBe(false);
    expect(shape(withoutUsage)).toEqual(shape(events((await ask('/live', { stream: true })).body)));
  });

  it('streamed, says what the whole answer says', async () => {
    const whole = await ask('/replay');
    expect(whole.headers[CACHE_HEADER]).toBe('hit');
    expect(whole.headers['content-type']).toMatch(/^application\/json/);
    const body = whole.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'tiny',
      choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null }],
      usage: USAGE,
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    const message = body.choices[0].message;
    const chunks = events((await ask('/replay', STREAM)).body).filter(
      (chunk): chunk is SseChunk => chunk !== '[DONE]' && chunk.choices.length > 0,
    );
    const content = chunks.map((chunk) => chunk.choices[0]!.delta.content ?? '').join('');
    const calls = chunks.flatMap((chunk) => chunk.choices[0]!.delta.tool_calls ?? []);
    expect(content).toBe(message.content);
    expect(message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: 'function',
        function: { name: 'weather', arguments: '{"city":"Paris"}' },
      },
    ]);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'weather' } });
    expect(calls.map((call) => call.function.arguments).join('')).toBe(
      message.tool_calls[0].function.arguments,
    );
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe(body.choices[0].finish_reason);
  });

  it('streams long text in pieces that join to it', () => {
    const text = `${'ab👋'.repeat(50)}z`;
    const pieces = contentPieces(text, 64);
    expect(pieces.length).toBe(3);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((piece) => !/[\uD800-\uDBFF]$/.test(piece))).toBe(true);
  });
});

describe('the recorder', () => {
  it('takes an upstream stream, chunk by chunk', () => {
    const recorder = new ReplyRecorder();
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    recorder.chunk(chunk({ role: 'assistant', content: '' }));
    recorder.chunk(chunk({ content: 'It is ' }));
    recorder.chunk(chunk({ content: 'sunny.' }));
    recorder.chunk(chunk({}, 'stop'));
    recorder.chunk({ object: 'chat.completion.chunk', choices: [], usage: { total_tokens: 3 } });
    expect(recorder.entry(served(UPSTREAM, 'stop'))).toMatchObject({
      content: 'It is sunny.',
      toolCalls: [],
      finishReason: 'stop',
      route: { id: 'acme', kind: 'upstream', label: 'acme' },
    });

    const calls = new ReplyRecorder();
    const call = (fields: Record<string, unknown>) => chunk({ tool_calls: [fields] });
    calls.chunk(
      call({ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '' } }),
    );
    calls.chunk(call({ index: 0, function: { arguments: '{"a":' } }));
    calls.chunk(call({ index: 0, function: { arguments: '1}' } }));
    calls.chunk(call({ index: 1, id: 'call_y', function: { name: 'g', arguments: '{}' } }));
    expect(calls.entry(served(UPSTREAM, 'tool_calls'))?.toolCalls).toEqual([
      { name: 'f', arguments: '{"a":1}' },
      { name: 'g', arguments: '{}' },
    ]);
  });

  it('takes a non-streamed upstream body', () => {
    const body = {
      id: 'x',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Forty-two.', refusal: null },
          finish_reason: 'length',
        },
      ],
    };
    expect(new ReplyRecorder().entry(served(UPSTREAM, 'length', { body }))).toMatchObject({
      content: 'Forty-two.',
      toolCalls: [],
      finishReason: 'length',
    });
    const two = { ...body, choices: [body.choices[0], body.choices[0]] };
    expect(new ReplyRecorder().entry(served(UPSTREAM, 'length', { body: two }))).toBeNull();
  });

  it('gives nothing for an outcome that must not be cached', () => {
    const recorder = new ReplyRecorder();
    recorder.delta({ content: 'partial' });
    expect(recorder.entry(served(NODE, 'content_filter'))).toBeNull();
    expect(recorder.entry(served(NODE, 'error'))).toBeNull();
    // A stream continued on another node: two segments.
    const first = served(NODE, 'stop').segments[0];
    const continued = served(NODE, 'stop', {
      segments: [first, { ...first, jobId: 'job_2', route: { ...NODE, id: 'node:n2' } as Route }],
    });
    expect(recorder.entry(continued)).toBeNull();
    expect(recorder.entry(served(NODE, 'stop'))).not.toBeNull();

    const refused = new ReplyRecorder();
    refused.chunk({ choices: [{ index: 0, delta: { refusal: 'no' }, finish_reason: null }] });
    expect(refused.entry(served(UPSTREAM, 'stop'))).toBeNull();
    const outOfOrder = new ReplyRecorder();
    outOfOrder.delta({ tool_calls: [{ index: 1, function: { name: 'f', arguments: '' } }] });
    expect(outOfOrder.entry(served(NODE, 'tool_calls'))).toBeNull();
  });

  it('reads back only entries in its own shape', () => {
    expect(parseCachedReply({ v: 2 })).toBeNull();
    expect(parseCachedReply('text')).toBeNull();
    expect(parseCachedReply(entry)).toEqual(entry);
  });
});
