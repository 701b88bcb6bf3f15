/**
 * The response cache's key: canonical over key order, blind to how the answer is delivered
 * and to `user`, and different for another organization, backing, tool or response format;
 * what serves a model (its backing) for upstream and node routes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from '../../common/openai.js';
import type { AnnouncedModel } from '../../common/protocol.js';
import type { NodeSession } from '../../gateway/link/nodeSession.js';
import { backingOf, cacheKey, cacheKeys, isDeterministic } from '../../gateway/policy/cacheKey.js';
import { NodeRoute } from '../../gateway/routing/nodeRoute.js';
import type { NodeStanding } from '../../gateway/routing/nodeStanding.js';
import type { Route } from '../../gateway/routing/route.js';
import { UpstreamRoute } from '../../gateway/upstream/upstreamRoute.js';
import type { Logger } from '../../common/log.js';
import { realClock } from '../../common/node/timers.js';

const request = (body: Record<string, unknown>): ChatCompletionRequest =>
  chatCompletionRequestSchema.parse(body);

const BASE = {
  model: 'tiny',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ],
  temperature: 0,
  max_tokens: 32,
};

const weather = {
  type: 'function',
  function: {
    name: 'weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

const key = (body: Record<string, unknown>, org = 'org_a', backing = 'gguf:abc') =>
  cacheKey(org, backing, request(body));

describe('cacheKey', () => {
  it('is 64 hex digits, the same whatever the order of object keys', () => {
    const reordered = {
      max_tokens: 32,
      temperature: 0,
      messages: [
        { content: 'Be brief.', role: 'system' },
        { content: 'Hi', role: 'user' },
      ],
      model: 'tiny',
    };
    expect(key(BASE)).toMatch(/^[0-9a-f]{64}$/);
    expect(key(reordered)).toBe(key(BASE));
    const schema = (properties: Record<string, unknown>) => ({
      ...BASE,
      tools: [{ ...weather, function: { ...weather.function, parameters: properties } }],
    });
    expect(key(schema({ type: 'object', properties: { a: {}, b: {} } }))).toBe(
      key(schema({ properties: { b: {}, a: {} }, type: 'object' })),
    );
  });

  it('leaves out stream, stream_options and user, and fields left at their default', () => {
    const streamed = { ...BASE, stream: true, stream_options: { include_usage: true } };
    expect(key(streamed)).toBe(key(BASE));
    // `user` is not in the parsed request, nor in the key when a raw body is given.
    const withUser = { ...BASE, user: 'alice' } as unknown as ChatCompletionRequest;
    expect(cacheKey('org_a', 'gguf:abc', withUser)).toBe(key(BASE));
    expect(key({ ...BASE, top_p: null, stop: null })).toBe(key(BASE));
  });

  it('changes with the organization, the backing, and anything that changes the answer', () => {
    const base = key(BASE);
    const others = [
      key(BASE, 'org_b'),
      key(BASE, 'org_a', 'gguf:abd'),
      key(BASE, 'org_a', 'upstream:acme:gpt-x'),
      key({ ...BASE, model: 'other' }),
      key({ ...BASE, messages: [{ role: 'user', content: 'Hi!' }] }),
      key({ ...BASE, temperature: 0.5 }),
      key({ ...BASE, seed: 1 }),
      key({ ...BASE, max_tokens: 33 }),
      key({ ...BASE, stop: ['\n'] }),
      key({ ...BASE, tools: [weather] }),
      key({ ...BASE, tools: [weather], tool_choice: 'required' }),
      key({ ...BASE, response_format: { type: 'json_object' } }),
      key({
        ...BASE,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'a', schema: { type: 'object' } },
        },
      }),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});

describe('cacheKey with the raw body', () => {
  it('adds the fields the schema does not know, but not user or stream', () => {
    const parsed = request(BASE);
    expect(cacheKey('org_a', 'b', parsed, { ...BASE })).toBe(cacheKey('org_a', 'b', parsed));
    expect(cacheKey('org_a', 'b', parsed, { ...BASE, user: 'u', stream: false })).toBe(
      cacheKey('org_a', 'b', parsed),
    );
    const biased = cacheKey('org_a', 'b', parsed, { ...BASE, logit_bias: { '50256': -100 } });
    expect(biased).not.toBe(cacheKey('org_a', 'b', parsed));
    // The parsed request wins over what the body says for its own fields.
    expect(cacheKey('org_a', 'b', parsed, { ...BASE, temperature: 1 })).toBe(
      cacheKey('org_a', 'b', parsed),
    );
  });
});

describe('isDeterministic', () => {
  it('holds for temperature 0 or a seed, not for the default temperature', () => {
    expect(isDeterministic(request(BASE))).toBe(true);
    expect(isDeterministic(request({ ...BASE, temperature: 0.7, seed: 42 }))).toBe(true);
    expect(isDeterministic(request({ ...BASE, temperature: 1, seed: 0 }))).toBe(true);
    expect(isDeterministic(request({ ...BASE, temperature: 0.7 }))).toBe(false);
    expect(isDeterministic(request({ ...BASE, temperature: undefined }))).toBe(false);
    expect(isDeterministic(request({ ...BASE, temperature: null, seed: null }))).toBe(false);
  });
});

describe('backingOf', () => {
  const upstream = new UpstreamRoute({
    name: 'acme',
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKeys: ['sk-test'],
    models: { tiny: 'acme-tiny-v2' },
    price: { prompt: 1, completion: 2 },
    cost: null,
    maxConcurrent: 4,
    enabled: true,
    createdAt: '2030-01-01T00:00:00.000Z',
  });
  afterAll(() => upstream.retire());

  const nodeRoute = (models: AnnouncedModel[]) => {
    const session = {
      nodeId: 'node_1',
      orgId: 'org_p',
      announced: (id: string) => models.find((model) => model.id === id),
    } as unknown as NodeSession;
    const logger = {} as Logger;
    return new NodeRoute(
      session,
      { prompt: 10, completion: 10 },
      {} as NodeStanding,
      logger,
      realClock,
    );
  };
  const announced = (id: string, sha256?: string): AnnouncedModel => ({
    id,
    price: { prompt: 1, completion: 1 },
    slots: 1,
    contextLength: 2048,
    ...(sha256 ? { sha256 } : {}),
  });

  it('names an upstream route by its provider and upstream model', () => {
    expect(backingOf(upstream, 'tiny')).toBe('upstream:acme:acme-tiny-v2');
    expect(backingOf(upstream, 'unknown')).toBeNull();
  });

  it("names a node route by the model file's announced hash, or nothing without one", () => {
    const sha = 'ab'.repeat(32);
    const route = nodeRoute([announced('tiny', sha), announced('old')]);
    expect(backingOf(route, 'tiny')).toBe(`gguf:${sha}`);
    expect(backingOf(route, 'old')).toBeNull();
    expect(backingOf(route, 'absent')).toBeNull();
    expect(backingOf({ kind: 'node', id: 'x' } as unknown as Route, 'tiny')).toBeNull();
  });

  it('gives one key per distinct backing among the routes, in their order', () => {
    const sha = 'cd'.repeat(32);
    const routes = [
      nodeRoute([announced('tiny', sha)]),
      nodeRoute([announced('tiny')]),
      upstream,
      nodeRoute([announced('tiny', sha)]),
    ];
    const parsed = request(BASE);
    expect(cacheKeys('org_a', routes, parsed)).toEqual([
      cacheKey('org_a', `gguf:${sha}`, parsed),
      cacheKey('org_a', 'upstream:acme:acme-tiny-v2', parsed),
    ]);
    expect(cacheKeys('org_a', [], parsed)).toEqual([]);
  });
});
