/**
 * The admin API's providers, routing rules, usage reports, routes and comparisons, on the
 * real Fastify app (the router is a stub: it is not under test here), and the admin
 * commands over it through the HTTP store.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../../common/openaiErrors.js';
import { runAdminCommand } from '../../gateway/admin/adminCli.js';
import { registerAdminRoutes } from '../../gateway/admin/adminRoutes.js';
import type { CompareInput, CompareRow, RouteView } from '../../common/adminRecords.js';
import { adminHttpStore } from '../../gateway/adminHttpStore.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { provider, stubLive, usage } from './helpers.js';

const TOKEN = 'byoi-admin-test-token-0123456789';
const ROUTE: RouteView = {
  id: 'A',
  kind: 'upstream',
  label: 'A',
  nodeId: null,
  models: ['tiny'],
  state: 'closed',
  retryAt: null,
  lastError: null,
  lastErrorAt: null,
  timeToFirstTokenMs: 12,
  latencyMs: 40,
  tokensPerSecond: 250,
  inFlight: 1,
  keys: [{ masked: 'sk-…1111', state: 'resting', reason: 'HTTP 429', restingUntil: null }],
};
const COMPARED: CompareRow[] = [
  {
    route: 'A',
    nodeId: null,
    status: 200,
    timeToFirstTokenMs: 11.6,
    latencyMs: 30.2,
    promptTokens: 5,
    completionTokens: 7,
    costNanos: 1_234,
    error: null,
  },
  {
    route: 'node',
    nodeId: 'node_1',
    status: 503,
    timeToFirstTokenMs: null,
    latencyMs: 3,
    promptTokens: 0,
    completionTokens: 0,
    costNanos: 0,
    error: 'busy',
  },
];

let store: GatewayStore;
let app: FastifyInstance;
let url: string;
let orgId: string;
const compared: CompareInput[] = [];
const live = stubLive({
  routes: () => [ROUTE],
  keyStates: (name) => (name === 'A' ? ROUTE.keys : []),
  compare: async (input) => {
    compared.push(input);
    return COMPARED;
  },
});

beforeAll(async () => {
  store = await openStore(null);
  orgId = (await store.createOrg('HTTP routing')).id;
  app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    void reply.status(apiError.status).send(apiError.toBody());
  });
  registerAdminRoutes(app, store, TOKEN, live);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) {
  const response = await app.inject({
    method,
    url: `/admin/v1${path}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as Json };
}
async function snapshot() {
  return { providers: await store.listProviders(), rules: await store.listRoutingRules() };
}

describe('providers over HTTP', () => {
  it('adds, lists, gets, disables and removes providers, never returning keys', async () => {
    const changes = live.changes;
    const added = await call('POST', '/providers', { ...provider('A'), models: ['tiny', 'big'] });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      name: 'A',
      models: { tiny: 'tiny', big: 'big' },
      keys: ROUTE.keys, // live states from the router
      enabled: true,
    });
    expect(added.body).not.toHaveProperty('apiKeys');
    await call('POST', '/providers', provider('B', { apiKeys: ['sk-bbbb-00001234'] }));
    const listed = await call('GET', '/providers');
    expect(JSON.stringify(listed.body)).not.toContain('sk-test');
    expect(listed.body.data.map((p: Json) => [p.name, p.keys[0].masked])).toEqual([
      ['A', 'sk-…1111'],
      ['B', 'sk-…1234'], // not in the router: the stored key, masked
    ]);
    expect((await call('GET', '/providers/B')).body.name).toBe('B');
    const disabled = await call('POST', '/providers/B/disable');
    expect([disabled.status, disabled.body.enabled]).toEqual([200, false]);
    expect((await call('POST', '/providers/B/enable')).body.enabled).toBe(true);
    expect(await call('DELETE', '/providers/B')).toEqual({
      status: 200,
      body: { name: 'B', removed: true },
    });
    expect(live.changes).toBe(changes + 5); // each change reloads the router
  });

  it('keeps the stored keys when an edit leaves them out', async () => {
    await call('POST', '/providers', provider('K', { apiKeys: ['sk-kkkk-00005678'] }));
    const edited = await call('PUT', '/providers/K', {
      ...provider('K', { baseUrl: 'https://k.example.com/v2' }),
      apiKeys: [],
    });
    expect([edited.status, edited.body.baseUrl]).toEqual([200, 'https://k.example.com/v2']);
    expect((await store.getProvider('K'))?.apiKeys).toEqual(['sk-kkkk-00005678']);
    const replaced = await call(
      'PUT',
      '/providers/K',
      provider('K', { apiKeys: ['sk-nnnn-00009999'] }),
    );
    expect(replaced.body.keys[0].masked).toBe('sk-…9999');
    expect((await store.getProvider('K'))?.apiKeys).toEqual(['sk-nnnn-00009999']);
    expect((await call('DELETE', '/providers/K')).status).toBe(200);
  });

  it('sets, lists and removes routing rules', async () => {
    const rule = await call('PUT', '/routing-rules', {
      orgId,
      model: 'tiny',
      strategy: 'pinned',
      routes: ['A', 'nodes'],
      maxPrice: { prompt: 1, completion: 2 },
    });
    expect(rule.status).toBe(200);
    expect(rule.body).toMatchObject({ orgId, routes: ['A', 'nodes'], weights: null });
    expect((await call('GET', `/routing-rules?orgId=${orgId}`)).body.data).toEqual([rule.body]);
    expect((await call('GET', '/routing-rules?orgId=*')).body.data).toEqual([]);
    const conflict = await call('DELETE', '/providers/A');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/used by the routing rule/);
    expect((await call('DELETE', `/routing-rules?orgId=${orgId}&model=tiny`)).body).toEqual({
      orgId,
      model: 'tiny',
      removed: true,
    });
    expect((await call('DELETE', `/routing-rules?orgId=${orgId}&model=tiny`)).status).toBe(404);
    await call('PUT', '/routing-rules', {
      orgId,
      model: 'tiny',
      strategy: 'pinned',
      routes: ['A'],
    });
  });

  const malformed: [
    string,
    'POST' | 'PUT' | 'DELETE' | 'GET',
    string,
    unknown,
    number,
    string | null,
  ][] = [
    ['bad URL', 'POST', '/providers', provider('X', { baseUrl: 'nope' }), 400, 'baseUrl'],
    ['no key', 'POST', '/providers', provider('X', { apiKeys: [] }), 400, 'apiKeys'],
    ['empty key', 'POST', '/providers', provider('X', { apiKeys: ['ok', ''] }), 400, 'apiKeys[1]'],
    [
      'bad price',
      'POST',
      '/providers',
      provider('X', { price: { prompt: -1, completion: 1 } }),
      400,
      'price.prompt',
    ],
    [
      'price as a string',
      'POST',
      '/providers',
      { ...provider('X'), price: { prompt: '1', completion: 1 } },
      400,
      'price.prompt',
    ],
    ['no models', 'POST', '/providers', provider('X', { models: {} }), 400, 'models'],
    ['reserved name', 'POST', '/providers', provider('own-nodes'), 400, 'name'],
    ['unknown field', 'POST', '/providers', { ...provider('X'), secret: 1 }, 400, null],
    ['duplicate provider', 'POST', '/providers', provider('A'), 409, null],
    [
      'bad concurrency',
      'POST',
      '/providers',
      provider('X', { maxConcurrent: 0 }),
      400,
      'maxConcurrent',
    ],
    ['unknown provider get', 'GET', '/providers/Nope', undefined, 404, 'name'],
    ['unknown provider remove', 'DELETE', '/providers/Nope', undefined, 404, 'name'],
    ['unknown provider enable', 'POST', '/providers/Nope/enable', undefined, 404, 'name'],
    ['provider a rule uses', 'DELETE', '/providers/A', undefined, 409, null],
    [
      'unknown strategy',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'random' },
      400,
      'strategy',
    ],
    [
      'unknown route',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'pinned', routes: ['Ghost'] },
      400,
      'routes',
    ],
    [
      'pinned without routes',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'pinned' },
      400,
      'routes',
    ],
    [
      'bad weights',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'balanced', weights: { A: -2 } },
      400,
      'weights.A',
    ],
    [
      'weights not matching routes',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'balanced', routes: ['A'], weights: { A: 1, nodes: 1 } },
      400,
      'weights',
    ],
    [
      'weights without balanced',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'cheapest', weights: { A: 1 } },
      400,
      'weights',
    ],
    [
      'unknown org rule',
      'PUT',
      '/routing-rules',
      { orgId: 'org_nope', model: '*', strategy: 'fastest' },
      404,
      'orgId',
    ],
    [
      'bad max price',
      'PUT',
      '/routing-rules',
      { orgId: '*', model: '*', strategy: 'fastest', maxPrice: { prompt: 1 } },
      400,
      'maxPrice.completion',
    ],
    ['no rule body', 'PUT', '/routing-rules', undefined, 400, 'orgId'],
    ['unknown org rules list', 'GET', '/routing-rules?orgId=org_nope', undefined, 404, 'orgId'],
    ['rule delete without model', 'DELETE', '/routing-rules?orgId=*', undefined, 400, 'model'],
    [
      'bad since',
      'GET',
      `/usage/report?orgId=ORG&by=model&since=yesterday`,
      undefined,
      400,
      'since',
    ],
    ['bad grouping', 'GET', `/usage/report?orgId=ORG&by=day`, undefined, 400, 'by'],
    [
      'report of an unknown org',
      'GET',
      '/usage/report?orgId=org_nope&by=model',
      undefined,
      404,
      'orgId',
    ],
    [
      'compare for an unknown org',
      'POST',
      '/compare',
      { orgId: 'org_nope', model: 'tiny', prompt: 'hi' },
      404,
      'orgId',
    ],
    [
      'compare without a prompt',
      'POST',
      '/compare',
      { orgId: 'ORG', model: 'tiny' },
      400,
      'prompt',
    ],
    [
      'compare with an empty route list',
      'POST',
      '/compare',
      { orgId: 'ORG', model: 'tiny', prompt: 'hi', routes: [] },
      400,
      'routes',
    ],
  ];
  it.each(malformed)(
    '%s: %s %s answers a clear error and changes nothing',
    async (_what, method, path, body, status, param) => {
      const before = await snapshot();
      const changes = live.changes;
      const fill = (text: string) => text.replace('ORG', orgId);
      const payload =
        body && typeof body === 'object' && 'orgId' in body
          ? { ...body, orgId: fill(String(body.orgId)) }
          : body;
      const response = await call(method, fill(path), payload);
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
      expect(response.body.error.message).toMatch(/\S/);
      expect(await snapshot()).toEqual(before);
      expect(live.changes).toBe(changes);
    },
  );
});

describe('reports, routes and comparisons', () => {
  it('reports usage by model', async () => {
    const { info } = await store.createApiKey(orgId, 'k');
    const ids = { orgId, apiKeyId: info.id, nodeId: null };
    await store.recordUsage({
      ...usage('h-1', ids, { charged: 10, fee: 10 }, '2038-01-01T00:00:00Z'),
      route: 'A',
    });
    const report = await call('GET', `/usage/report?orgId=${orgId}&by=route&since=2038-01-01`);
    expect(report.body.data).toMatchObject([{ group: 'A', requests: 1, costNanos: 10 }]);
    const later = await call(
      'GET',
      `/usage/report?orgId=${orgId}&by=route&since=2038-01-02T00:00:00Z`,
    );
    expect(later.body.data).toEqual([]);
  });

  it('lists live routes and compares them, also through the admin commands with --url', async () => {
    expect((await call('GET', '/routes')).body).toEqual({ data: [ROUTE] });
    const body = { orgId, model: 'tiny', prompt: 'Say hi', maxTokens: 8 };
    expect((await call('POST', '/compare', body)).body).toEqual({ data: COMPARED });
    expect(compared.at(-1)).toEqual(body);
    const some = { ...body, routes: ['A'] };
    expect((await call('POST', '/compare', some)).status).toBe(200);
    expect(compared.at(-1)).toEqual(some);

    const http = adminHttpStore(url, TOKEN);
    const run = async (argv: string[]) => {
      const lines: string[] = [];
      const code = await runAdminCommand(argv, http, (l) => lines.push(l));
      return { code, lines };
    };
    const routes = await run(['routes']);
    expect(routes.code).toBe(0);
    expect(routes.lines[0]).toMatch(
      /^ROUTE\s+KIND\s+MODELS\s+STATE\s+TTFT\s+LATENCY\s+TOK\/S\s+IN FLIGHT\s+KEYS\s+LAST ERROR$/,
    );
    expect(routes.lines[1]).toMatch(
      /^A\s+upstream\s+tiny\s+closed\s+12 ms\s+40 ms\s+250\.0\s+1\s+sk-…1111 resting \(HTTP 429\)\s+-$/,
    );

    const compare = await run([
      'compare',
      '--org',
      orgId,
      '--model',
      'tiny',
      '--prompt',
      'Say hi',
      '--max-tokens',
      '8',
    ]);
    expect(compare.lines).toEqual([
      'ROUTE          STATUS  TTFT   LATENCY  TOKENS  COST          ERROR',
      'A              200     12 ms  30 ms    5+7     $0.000001234  -',
      'node (node_1)  503     -      3 ms     0+0     $0.000000000  busy',
    ]);
    expect(compared.at(-1)).toEqual({ ...body, apiKeyId: undefined });

    // The HTTP store answers like the store: masked providers, and refusals with exit codes.
    const listed = await run(['provider', 'list', '--json']);
    expect(JSON.parse(listed.lines.join('\n')).data[0].keys).toEqual(ROUTE.keys);
    expect((await run(['provider', 'remove', 'A'])).code).toBe(1); // a rule names it: 409
    expect((await run(['provider', 'remove', 'Nope'])).lines).toEqual([
      "Error: No provider named 'Nope'",
    ]);
    const bad = await run(['routing', 'set', '--org', '*', '--model', '*', '--strategy', 'pinned']);
    expect(bad.code).toBe(2);
    expect(bad.lines[0]).toMatch(/'pinned' strategy needs routes/);
    const report = await run(['usage', '--org', orgId, '--by', 'route', '--format', 'csv']);
    expect(report.lines[1]).toMatch(/^A,1,0,10,20,0\.000000010,/);
  });
});
