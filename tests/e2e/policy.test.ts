/**
 * The policy end to end with the real `openai` client: a real gateway (in-process, for its
 * wall clock) in front of a real OpenAI-compatible provider (`byoi-node --no-link` serving
 * the generated model). Rate limits per key (requests and tokens, exact under concurrency,
 * a window that opens again when the clock moves), monthly quotas (a 429 that says not to
 * retry; concurrent streams that cannot overshoot), and the audit log of every change.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../gateway-link/support/testGateway.js';
import { startNode, type NodeProcess } from '../support/nodeProcess.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

const PROVIDER_KEY = 'sk-policy-provider';
/** 12:00:01 UTC: every test's window starts well inside a minute. */
const START = Date.UTC(2026, 11, 4, 12, 0, 1);

let model: TempModel;
let provider: NodeProcess;
let test: TestGateway;
let now = START;

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${test.gateway.url}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${test.gateway.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function adminOk<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await admin(method, path, body);
  const json = (await response.json()) as T;
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** A fresh key (its own limits and counters) and a client for it. */
async function newClient(): Promise<{ keyId: string; client: OpenAI }> {
  const { key, info } = await test.gateway.store.createApiKey(test.clientOrgId, 'policy');
  return {
    keyId: info.id,
    client: new OpenAI({ baseURL: test.gateway.baseURL, apiKey: key, maxRetries: 0 }),
  };
}

const ask = (client: OpenAI, maxTokens = 4) =>
  client.chat.completions
    .create({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }], max_tokens: maxTokens })
    .withResponse();

/** The status and error of a call that may be refused. */
async function outcome(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error.status ?? 0;
    throw error;
  }
}

beforeAll(async () => {
  model = createTempModel();
  [provider, test] = await Promise.all([
    startNode([
      '--model',
      model.path,
      '--api-key',
      PROVIDER_KEY,
      '--no-link',
      '--control',
      '127.0.0.1:0',
      '--openai',
      '127.0.0.1:0',
    ]),
    startTestGateway({ wallClock: () => now }),
  ]);
  const added = await admin('POST', '/providers', {
    name: 'local',
    baseUrl: provider.ready.openaiBaseURL,
    apiKeys: [PROVIDER_KEY],
    models: { tiny: 'tiny' },
    price: { prompt: 1, completion: 2 },
  });
  expect(added.status).toBe(201);
});

afterAll(async () => {
  await test?.close();
  await provider?.stop();
  model?.cleanup();
});

describe('rate limits', () => {
  it('refuses the 6th request of a minute at rpm 5 with the headers, and passes once the window moves', async () => {
    const { keyId, client } = await newClient();
    await adminOk('PUT', '/limits', { orgId: test.clientOrgId, keyId, rpm: 5 });
    for (let i = 0; i < 5; i++) {
      const { response } = await ask(client);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(response.headers.get('x-ratelimit-remaining-requests')).toBe(String(4 - i));
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d)?s$/);
    }
    const refused = await ask(client).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.code).toBe('rate_limit_exceeded');
    expect(Number(error.headers?.get('retry-after'))).toBe(59);
    expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(error.message).toMatch(/requests per minute: limit 5/);

    now += 60_000;
    const { response } = await ask(client);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('4');
  });

  it('refuses by tokens per minute, counting what a request reserves, and corrects it to the real count', async () => {
    const { keyId, client } = await newClient();
    // 'hi' reserves its prompt bound (2 bytes + 16 per message + 64) plus max_tokens 4: 86.
    await adminOk('PUT', '/limits', { orgId: test.clientOrgId, keyId, tpm: 200 });
    const first = await ask(client);
    const used = first.data.usage!.total_tokens;
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('200');
    // At admission the window held the reservation; the next one sees the real count instead.
    const second = await ask(client);
    expect(Number(second.response.headers.get('x-ratelimit-remaining-tokens'))).toBe(
      200 - used - 86,
    );
    // The real counts are far under the reservation, so a third one still fits, then no more.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await outcome(ask(client)));
    expect(statuses).toContain(429);
    now += 60_000;
    expect(await outcome(ask(client))).toBe(200);
  });

  it('lets exactly 5 of 20 concurrent requests through at rpm 5', async () => {
    const { keyId, client } = await newClient();
    await adminOk('PUT', '/limits', { orgId: test.clientOrgId, keyId, rpm: 5 });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => outcome(ask(client))));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });
});

describe('quotas', () => {
  it('refuses a request over a tiny monthly budget with insufficient_quota and x-should-retry: false', async () => {
    const { keyId, client } = await newClient();
    await adminOk('PUT', '/quotas', { orgId: test.clientOrgId, keyId, monthlyUsd: 0.00001 });
    const refused = await ask(client).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
    expect(error.code).toBe('insufficient_quota');
    expect(error.type).toBe('insufficient_quota');
    expect(error.headers?.get('x-should-retry')).toBe('false');
  });

  it('never settles more than the budget under 20 concurrent streams', async () => {
    const { keyId, client } = await newClient();
    // One request reserves 86 prompt tokens at $1/M and 4 completion tokens at $2/M: 94,000 nano-USD.
    const budget = 5 * 94_000 + 1000;
    await adminOk('PUT', '/quotas', { orgId: test.clientOrgId, keyId, monthlyUsd: budget / 1e9 });
    const stream = async () => {
      const response = await client.chat.completions.create({
        model: 'tiny',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 4,
        stream: true,
      });
      let text = '';
      for await (const chunk of response) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    const statuses = await Promise.all(Array.from({ length: 20 }, () => outcome(stream())));
    const served = statuses.filter((s) => s === 200).length;
    expect(served).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
    const { data } = await adminOk<{
      data: { keyId: string | null; spentNanos: number; reservedNanos: number }[];
    }>('GET', `/quotas?orgId=${test.clientOrgId}&month=2026-12`);
    const quota = data.find((q) => q.keyId === keyId)!;
    expect(quota.spentNanos).toBeGreaterThan(0);
    expect(quota.spentNanos).toBeLessThanOrEqual(budget);
    expect(quota.reservedNanos).toBe(0);
  });
});

describe('audit', () => {
  it('lists each policy change with who made it, before and after', async () => {
    const { data } = await adminOk<{
      data: { actor: string; action: string; target: string; before: unknown; after: unknown }[];
    }>('GET', '/audit');
    const actions = data.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['provider.add', 'limits.set', 'quota.set']));
    expect(data.filter((e) => e.action === 'limits.set')).toHaveLength(3);
    for (const entry of data) expect(entry.actor).toMatch(/^admin-token:[0-9a-f]{8}$/);
    const csv = await (await admin('GET', '/audit?format=csv')).text();
    expect(csv.split('\n')[0]).toBe('seq,at,actor,action,target,before,after');
    expect(csv).toContain('quota.set');
  });
});

describe('response cache', () => {
  const question = {
    model: 'tiny',
    messages: [{ role: 'user' as const, content: 'cache me' }],
    max_tokens: 6,
    temperature: 0,
  };

  /** A new organization with its cache on, and a client of it. */
  async function cachedOrg(charge: 'full' | 'none') {
    const org = await test.gateway.store.createOrg(`cached-${charge}`);
    const { key } = await test.gateway.store.createApiKey(org.id, 'cache');
    await adminOk('PUT', '/cache', { orgId: org.id, enabled: true, ttlSeconds: 600, charge });
    const client = new OpenAI({ baseURL: test.gateway.baseURL, apiKey: key, maxRetries: 0 });
    return { orgId: org.id, client };
  }

  it('answers a repeat from the cache, billed in full, and replays it as a stream', async () => {
    const { orgId, client } = await cachedOrg('full');
    const miss = await client.chat.completions.create(question).withResponse();
    expect(miss.response.headers.get('x-byoi-cache')).toBe('miss');
    expect(miss.response.headers.get('x-byoi-route')).toBe('local');
    const hit = await client.chat.completions.create(question).withResponse();
    expect(hit.response.headers.get('x-byoi-cache')).toBe('hit');
    expect(hit.response.headers.get('x-byoi-route')).toBe('cache');
    expect(hit.data.choices[0]!.message.content).toBe(miss.data.choices[0]!.message.content);
    expect(hit.data.usage).toEqual(miss.data.usage);

    const stream = await client.chat.completions.create({ ...question, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(miss.data.choices[0]!.message.content);

    const rows = await test.gateway.store.listUsage({ orgId });
    const [served, ...hits] = [...rows].reverse();
    expect(served).toMatchObject({ route: 'local' });
    expect(hits.map((r) => r.route)).toEqual(['cache', 'cache']);
    expect(hits[0]!.chargedNanos).toBe(served!.chargedNanos);
    expect(hits[0]!.creditedNanos).toBe(0);
  });

  it('charges nothing for a hit when the policy says none, and never serves another organization', async () => {
    const free = await cachedOrg('none');
    await free.client.chat.completions.create(question);
    const hit = await free.client.chat.completions.create(question).withResponse();
    expect(hit.response.headers.get('x-byoi-cache')).toBe('hit');
    const rows = await test.gateway.store.listUsage({ orgId: free.orgId });
    expect(rows.find((r) => r.route === 'cache')?.chargedNanos).toBe(0);

    const other = await cachedOrg('full');
    const first = await other.client.chat.completions.create(question).withResponse();
    expect(first.response.headers.get('x-byoi-cache')).toBe('miss');
  });

  it('bypasses the cache for no-store, no-cache and requests that are not deterministic', async () => {
    const { client } = await cachedOrg('full');
    await client.chat.completions.create(question);
    for (const cacheControl of ['no-store', 'no-cache']) {
      const answer = await client.chat.completions
        .create(question, { headers: { 'cache-control': cacheControl } })
        .withResponse();
      expect(answer.response.headers.get('x-byoi-cache')).toBe('bypass');
      expect(answer.response.headers.get('x-byoi-route')).toBe('local');
    }
    const warm = await client.chat.completions
      .create({ ...question, temperature: 0.7 })
      .withResponse();
    expect(warm.response.headers.get('x-byoi-cache')).toBe('bypass');
  });
});
