/**
 * The routes, end to end with the real `openai` client: a real gateway, one enrolled node,
 * and providers A and B — real OpenAI-compatible servers (`byoi-node --api-key`, no link)
 * serving the generated model at different prices. Pinned requests, key rotation, failover
 * with the breaker, reports, streaming through an upstream.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../demo/startDemo.js';
import { startNode, type NodeProcess } from '../support/nodeProcess.js';

const KEY_A = 'sk-provider-a-right-key';
const KEY_B = 'sk-provider-b-key';

let demo: Demo;
let client: OpenAI;
let providerA: NodeProcess;
let providerB: NodeProcess;
let portA: string;

interface ReportRow {
  group: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costNanos: number;
}

interface RouteRow {
  id: string;
  label: string;
  state: string;
  keys: { masked: string; state: string }[];
}

const startProvider = (key: string, port = '0') =>
  startNode([
    '--model',
    demo.modelPath,
    '--api-key',
    key,
    '--no-link',
    '--control',
    '127.0.0.1:0',
    '--openai',
    `127.0.0.1:${port}`,
  ]);

beforeAll(async () => {
  demo = await startDemo({ nodes: 1, gatewayArgs: ['--health-interval-ms', '200'] });
  client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
  [providerA, providerB] = await Promise.all([startProvider(KEY_A), startProvider(KEY_B)]);
  portA = new URL(providerA.ready.openaiBaseURL).port;
  await demo.admin('POST', '/providers', {
    name: 'A',
    baseUrl: providerA.ready.openaiBaseURL,
    // The wrong key first: it must be disabled and the right one used.
    apiKeys: ['sk-provider-a-wrong-key', KEY_A],
    models: { tiny: 'tiny' },
    price: { prompt: 0.5, completion: 1 },
    cost: { prompt: 0.3, completion: 0.6 },
  });
  await demo.admin('POST', '/providers', {
    name: 'B',
    baseUrl: providerB.ready.openaiBaseURL,
    apiKeys: [KEY_B],
    models: { tiny: 'tiny' },
    price: { prompt: 0.8, completion: 1.6 },
  });
});

afterAll(async () => {
  await Promise.all([providerA?.stop('SIGKILL'), providerB?.stop()]);
  await demo?.stop();
});

const ask = (route?: string, content = 'hello routes') =>
  client.chat.completions
    .create(
      { model: 'tiny', messages: [{ role: 'user', content }], max_tokens: 6, temperature: 0 },
      route ? { headers: { 'x-byoi-route': route } } : {},
    )
    .withResponse();

const report = async (by: string) =>
  (await demo.admin<{ data: ReportRow[] }>('GET', `/usage/report?orgId=${demo.orgId}&by=${by}`))
    .data;

const routes = async () => (await demo.admin<{ data: RouteRow[] }>('GET', '/routes')).data;

describe('routes', () => {
  it('serves from each route when pinned, and names it in the headers and the report', async () => {
    for (const route of ['A', 'B', 'node']) {
      const { data, response } = await ask(route);
      expect(data.usage!.completion_tokens).toBe(6);
      expect(response.headers.get('x-byoi-route')).toBe(route);
      expect(response.headers.get('x-byoi-attempts')).toMatch(/^\d+$/);
      if (route === 'node') expect(response.headers.get('x-byoi-node')).toBe(demo.nodes[0]!.id);
      else expect(response.headers.get('x-byoi-node')).toBeNull();
    }
    const byRoute = await report('route');
    for (const route of ['A', 'B', 'node']) {
      expect(byRoute.find((row) => row.group === route)?.requests).toBeGreaterThanOrEqual(1);
    }
  });

  it('rotates past a wrong key: every request succeeds and the key shows as disabled', async () => {
    for (let i = 0; i < 4; i++) {
      const { response } = await ask('A');
      expect(response.headers.get('x-byoi-route')).toBe('A');
    }
    const a = (await routes()).find((route) => route.id === 'A')!;
    expect(a.keys.map((key) => key.state)).toEqual(['disabled', 'active']);
    expect(JSON.stringify(a.keys)).not.toContain('wrong-key');
    const providers = await demo.admin<{ data: { name: string; keys: { state: string }[] }[] }>(
      'GET',
      '/providers',
    );
    expect(providers.data.find((p) => p.name === 'A')!.keys[0]!.state).toBe('disabled');
  });

  it('streams through an upstream with exact chunks and usage, and meters a stream without usage', async () => {
    const direct = new OpenAI({
      baseURL: providerB.ready.openaiBaseURL,
      apiKey: KEY_B,
      maxRetries: 0,
    });
    const request = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'stream me' }],
      max_tokens: 10,
      temperature: 0,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const collect = async (stream: AsyncIterable<OpenAI.ChatCompletionChunk>) => {
      const pieces: string[] = [];
      const ids = new Set<string>();
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        ids.add(chunk.id);
        const piece = chunk.choices[0]?.delta.content;
        if (piece) pieces.push(piece);
        usage = chunk.usage ?? usage;
      }
      return { pieces, ids, usage };
    };
    const viaGateway = await collect(
      await client.chat.completions.create(request, { headers: { 'x-byoi-route': 'B' } }),
    );
    const straight = await collect(await direct.chat.completions.create(request));
    expect(viaGateway.pieces).toEqual(straight.pieces);
    expect(viaGateway.usage).toEqual(straight.usage);
    expect(viaGateway.ids.size).toBe(1);

    const before = await report('route');
    const quiet = await collect(
      await client.chat.completions.create(
        { ...request, stream_options: undefined },
        { headers: { 'x-byoi-route': 'B' } },
      ),
    );
    expect(quiet.usage).toBeUndefined();
    const after = await report('route');
    const rowB = (rows: ReportRow[]) => rows.find((row) => row.group === 'B')!;
    expect(rowB(after).requests).toBe(rowB(before).requests + 1);
    expect(rowB(after).completionTokens - rowB(before).completionTokens).toBe(
      straight.usage!.completion_tokens,
    );
    expect(rowB(after).costNanos).toBeGreaterThan(rowB(before).costNanos);
  });

  it('compares the routes side by side, and the report by route adds up to the rows', async () => {
    const compared = await demo.admin<{
      data: { route: string; status: number; costNanos: number; latencyMs: number }[];
    }>('POST', '/compare', {
      orgId: demo.orgId,
      model: 'tiny',
      prompt: 'compare us',
      maxTokens: 4,
    });
    expect(compared.data.map((row) => row.route).sort()).toEqual(['A', 'B', 'node']);
    for (const row of compared.data) {
      expect(row.status).toBe(200);
      expect(row.costNanos).toBeGreaterThan(0);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const rows = (
      await demo.admin<{
        data: { route: string; chargedNanos: number; completionTokens: number }[];
      }>('GET', `/usage?orgId=${demo.orgId}&limit=10000`)
    ).data;
    for (const group of await report('route')) {
      const mine = rows.filter((row) => row.route === group.group);
      expect(group.costNanos).toBe(mine.reduce((sum, row) => sum + row.chargedNanos, 0));
      expect(group.completionTokens).toBe(mine.reduce((sum, row) => sum + row.completionTokens, 0));
    }
  });

  it('fails over when provider A dies, opens its breaker, and returns to A once it is back', async () => {
    await demo.admin('PUT', '/routing-rules', {
      orgId: demo.orgId,
      model: '*',
      strategy: 'pinned',
      routes: ['A', 'B', 'nodes'],
    });
    expect((await ask()).response.headers.get('x-byoi-route')).toBe('A');
    await providerA.stop('SIGKILL');
    const served: string[] = [];
    const attempts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { data, response } = await ask();
      expect(data.usage!.completion_tokens).toBe(6);
      served.push(response.headers.get('x-byoi-route')!);
      attempts.push(response.headers.get('x-byoi-attempts')!);
    }
    expect(served.every((route) => route === 'B')).toBe(true);
    // Once the breaker is open, A is not tried at all.
    expect(attempts.slice(-5)).toEqual(['1', '1', '1', '1', '1']);
    expect((await routes()).find((route) => route.id === 'A')!.state).toBe('open');

    const from = demo.gateway.logs.length;
    providerA = await startProvider(KEY_A, portA);
    await demo.gateway.waitForLog(
      (line) => line.msg === 'route breaker closed' && line.route === 'A',
      from,
    );
    expect((await ask()).response.headers.get('x-byoi-route')).toBe('A');
    await demo.admin('DELETE', `/routing-rules?orgId=${demo.orgId}&model=*`);
  });
});
