/**
 * Hostile input at the client API and the admin API of a real in-process gateway: each gets
 * a clear error in the OpenAI shape (status, code, the field at fault), never a 500, no node
 * is offered anything, and nothing already stored changes. Hostile link frames are in
 * badFrames.test.ts and frameFlood.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLIENT_BODY_BYTES } from '../../gateway/defaults.js';
import { model, type LinkClient } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let node: LinkClient;

beforeAll(async () => {
  t = await startTestGateway();
  ({ link: node } = await t.connectNode([model('m')]));
  // Something stored, which no hostile request may change.
  const reply = t.client.chat.completions.create({ model: 'm', messages: USER });
  await node.serveNext(['stored']);
  await reply;
  await node.next('receipt');
});

afterAll(async () => {
  await t?.close();
});

/** Everything stored that a request could damage. */
async function snapshot() {
  const { store } = t.gateway;
  return JSON.stringify({
    orgs: await store.listOrgs(),
    keys: await store.listApiKeys(),
    nodes: await store.listNodes(),
    usage: await store.listUsage({}),
    rules: await store.listRoutingRules(),
    providers: await store.listProviders(),
    balance: await store.balances(t.clientOrgId),
  });
}

interface Hostile {
  name: string;
  method?: string;
  path: string;
  /** A string is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The client key (default), the admin token, or nothing. */
  auth?: 'client' | 'admin' | 'none' | string;
  status: number;
  code?: string;
  param?: string;
}

const chat = (fields: Record<string, unknown>) => ({ model: 'm', messages: USER, ...fields });
const CHAT = '/v1/chat/completions';

const cases: Hostile[] = [
  // The client API.
  {
    name: 'no key',
    path: CHAT,
    body: chat({}),
    auth: 'none',
    status: 401,
    code: 'invalid_api_key',
  },
  { name: 'a made-up key', path: CHAT, body: chat({}), auth: 'byoi-sk-nope', status: 401 },
  { name: 'a body that is not JSON', path: CHAT, body: '{"model": ', status: 400 },
  { name: 'a JSON array as body', path: CHAT, body: '[1, 2]', status: 400 },
  {
    name: 'text/plain',
    path: CHAT,
    body: 'hi',
    headers: { 'content-type': 'text/plain' },
    status: 415,
  },
  { name: 'no model', path: CHAT, body: { messages: USER }, status: 400, param: 'model' },
  {
    name: 'messages not a list',
    path: CHAT,
    body: chat({ messages: 'hi' }),
    status: 400,
    param: 'messages',
  },
  {
    name: 'an unknown role',
    path: CHAT,
    body: chat({ messages: [{ role: 'god', content: 'x' }] }),
    status: 400,
    param: 'messages[0].role',
  },
  {
    name: 'negative max_tokens',
    path: CHAT,
    body: chat({ max_tokens: -5 }),
    status: 400,
    param: 'max_tokens',
  },
  {
    name: 'max_tokens as text',
    path: CHAT,
    body: chat({ max_tokens: 'lots' }),
    status: 400,
    param: 'max_tokens',
  },
  {
    name: 'temperature 99',
    path: CHAT,
    body: chat({ temperature: 99 }),
    status: 400,
    param: 'temperature',
  },
  {
    name: 'stream as text',
    path: CHAT,
    body: chat({ stream: 'yes' }),
    status: 400,
    param: 'stream',
  },
  {
    name: 'a tool that is not a function',
    path: CHAT,
    body: chat({ tools: [{ type: 'shell', function: { name: 'rm' } }] }),
    status: 400,
    param: 'tools[0].type',
  },
  {
    name: 'an unknown response_format',
    path: CHAT,
    body: chat({ response_format: { type: 'xml' } }),
    status: 400,
    param: 'response_format.type',
  },
  {
    name: 'a model no route serves',
    path: CHAT,
    body: chat({ model: 'nope\u0000\u001b[31m' }),
    status: 404,
    code: 'model_not_found',
  },
  {
    name: 'a pin to no route',
    path: CHAT,
    body: chat({}),
    headers: { 'x-byoi-route': 'evil-provider' },
    status: 400,
    param: 'x-byoi-route',
  },
  {
    name: 'a body over the limit',
    path: CHAT,
    body: chat({ messages: [{ role: 'user', content: 'x'.repeat(MAX_CLIENT_BODY_BYTES) }] }),
    status: 413,
    code: 'request_too_large',
  },
  {
    name: 'embeddings with no input',
    path: '/v1/embeddings',
    body: { model: 'm' },
    status: 400,
    param: 'input',
  },
  {
    name: 'embeddings with an empty list',
    path: '/v1/embeddings',
    body: { model: 'm', input: [] },
    status: 400,
    param: 'input',
  },
  {
    name: 'completions with no prompt',
    path: '/v1/completions',
    body: { model: 'm' },
    status: 400,
    param: 'prompt',
  },
  {
    name: 'an unknown model id to GET',
    method: 'GET',
    path: `/v1/models/${'x'.repeat(5000)}`,
    status: 414,
    code: 'url_too_long',
  },
  { name: 'a malformed URL', method: 'GET', path: '/v1/models/%zz%', status: 400, code: 'bad_url' },
  // The admin API.
  { name: 'admin with no token', method: 'GET', path: '/admin/v1/orgs', auth: 'none', status: 401 },
  {
    name: 'admin with a wrong token',
    method: 'GET',
    path: '/admin/v1/orgs',
    auth: 'wrong',
    status: 401,
  },
  { name: 'admin with the client key', method: 'GET', path: '/admin/v1/orgs', status: 401 },
  {
    name: 'an org with a blank name',
    path: '/admin/v1/orgs',
    body: { name: '   ' },
    auth: 'admin',
    status: 400,
    param: 'name',
  },
  {
    name: 'an org name with control characters',
    path: '/admin/v1/orgs',
    body: { name: 'a\u001b[2Jb' },
    auth: 'admin',
    status: 400,
    param: 'name',
  },
  {
    name: 'a key for an unknown org',
    path: '/admin/v1/orgs/org_nope/keys',
    body: { name: 'k' },
    auth: 'admin',
    status: 404,
  },
  {
    name: 'a key with a negative rate limit',
    path: '/admin/v1/orgs/ORG/keys',
    body: { name: 'k', rateLimitPerMinute: -1 },
    auth: 'admin',
    status: 400,
    param: 'rateLimitPerMinute',
  },
  {
    name: 'revoking an unknown key',
    method: 'DELETE',
    path: '/admin/v1/keys/key_nope',
    auth: 'admin',
    status: 404,
  },
  {
    name: 'an enrollment code valid for centuries',
    path: '/admin/v1/orgs/ORG/enrollment-codes',
    body: { ttlSeconds: 10 ** 12 },
    auth: 'admin',
    status: 400,
    param: 'ttlSeconds',
  },
  {
    name: 'clearing the faults of an unknown node',
    path: '/admin/v1/nodes/node_nope/clear-faults',
    auth: 'admin',
    status: 404,
  },
  {
    name: 'a routing rule with an unknown strategy',
    method: 'PUT',
    path: '/admin/v1/routing-rules',
    body: { orgId: '*', model: '*', strategy: 'random' },
    auth: 'admin',
    status: 400,
    param: 'strategy',
  },
  {
    name: 'a provider with a bad URL',
    path: '/admin/v1/providers',
    body: {
      name: 'p',
      baseUrl: 'not a url',
      apiKeys: ['k'],
      models: { m: 'm' },
      price: { prompt: 1, completion: 1 },
    },
    auth: 'admin',
    status: 400,
    param: 'baseUrl',
  },
  {
    name: 'usage with a bad limit',
    method: 'GET',
    path: '/admin/v1/usage?limit=-3',
    auth: 'admin',
    status: 400,
    param: 'limit',
  },
];

function send(c: Hostile): Promise<Response> {
  const auth =
    c.auth === 'admin'
      ? t.gateway.adminToken
      : c.auth === 'none'
        ? null
        : c.auth === undefined || c.auth === 'client'
          ? t.apiKey
          : c.auth;
  const method = c.method ?? 'POST';
  const body =
    c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  return fetch(`${t.gateway.url}${c.path.replace('ORG', t.clientOrgId)}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth === null ? {} : { authorization: `Bearer ${auth}` }),
      ...c.headers,
    },
    body,
  });
}

describe('hostile input', () => {
  it(`has at least 30 cases here (and more in badFrames.test.ts)`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s gets a clear error', async (_, c) => {
    const before = await snapshot();
    const response = await send(c);
    const body = (await response.json()) as {
      error: { message: string; type: string; code: string | null; param: string | null };
    };
    expect(response.status).toBe(c.status);
    expect(body.error).toEqual({
      message: expect.any(String),
      type: expect.any(String),
      code: c.code ?? expect.toBeOneOf([expect.any(String), null]),
      param: c.param ?? expect.toBeOneOf([expect.any(String), null]),
    });
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(await snapshot()).toBe(before);
    // No node was offered anything.
    await node.sync();
    expect(node.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);
  });
});
