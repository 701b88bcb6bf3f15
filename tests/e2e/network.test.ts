/**
 * Client → real gateway → two real nodes, with the real `openai` client: usage and
 * accounting, failover when a node dies before its first token, an SSE error when one dies
 * mid-stream, a gateway restart, and the API's refusals.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callNode } from '../../demo/nodeControl.js';
import { startDemo, type Demo, type DemoNode } from '../../demo/startDemo.js';

let demo: Demo;
let client: OpenAI;

interface UsageRow {
  jobId: string;
  requestId: string;
  nodeId: string | null;
  promptTokens: number;
  completionTokens: number;
  chargedNanos: number;
  feeNanos: number;
  creditedNanos: number;
}

beforeAll(async () => {
  demo = await startDemo({ nodes: 2, gatewayArgs: ['--queue-length', '12'] });
  client = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
});

afterAll(async () => {
  await demo?.stop();
});

const ask = (content: string, maxTokens = 8) =>
  client.chat.completions.create({
    model: 'tiny',
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    temperature: 0,
  });

const usageRows = async () =>
  (await demo.admin<{ data: UsageRow[] }>('GET', `/usage?orgId=${demo.orgId}&limit=1000`)).data;

/** The node that got the most recent offer, from the gateway's log. */
const offeredNode = (after: number) =>
  demo.gateway.waitForLog(
    (line) => line.msg === 'job offered' && demo.gateway.logs.indexOf(line) >= after,
  );

const nodeById = (id: unknown): DemoNode => {
  const node = demo.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no demo node ${String(id)}`);
  return node;
};

describe('the network', () => {
  it('lists the model that online nodes serve', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny']);
  });

  it('serves non-streaming and streaming requests with exact usage, and accounts every token', async () => {
    const whole = await ask('hello network', 12);
    expect(whole.choices[0]!.finish_reason).toBe('length');
    expect(whole.usage!.completion_tokens).toBe(12);

    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hello network' }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(usage).toEqual(whole.usage);

    const rows = await usageRows();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row.chargedNanos).toBe(row.creditedNanos + row.feeNanos);
    const balance = await demo.admin<{ spentNanos: number; earnedNanos: number }>(
      'GET',
      `/orgs/${demo.orgId}/balance`,
    );
    const credits = rows.reduce((sum, row) => sum + row.creditedNanos, 0);
    const fees = rows.reduce((sum, row) => sum + row.feeNanos, 0);
    expect(balance.spentNanos).toBe(credits + fees);
    expect(balance.earnedNanos).toBe(credits);
  });

  it('fails over to the other node when the offered node is killed before its first token', async () => {
    const [a, b] = demo.nodes as [DemoNode, DemoNode];
    // Freeze both, so that whichever gets the offer cannot answer before it dies.
    for (const node of [a, b]) node.process.child.kill('SIGSTOP');
    const from = demo.gateway.logs.length;
    const reply = ask('who survives?', 6);
    const offer = await offeredNode(from);
    const victim = nodeById(offer.nodeId);
    const survivor = victim === a ? b : a;
    victim.process.child.kill('SIGKILL');
    survivor.process.child.kill('SIGCONT');
    const completion = await reply;
    expect(completion.usage!.completion_tokens).toBe(6);
    // The failed-over request's own rows: the survivor served and is credited for all of it.
    const own = (await usageRows()).filter((row) => row.requestId === completion.id);
    const served = own.filter((row) => row.completionTokens > 0);
    expect(served).toEqual([expect.objectContaining({ nodeId: survivor.id, completionTokens: 6 })]);
    expect(own.every((row) => row.nodeId !== victim.id || row.creditedNanos === 0)).toBe(true);
    demo.nodes.splice(demo.nodes.indexOf(victim), 1);
    await demo.addNode();
  });

  it('continues a stream on the other node when its node dies mid-stream: one id, exact usage, both credited', async () => {
    const from = demo.gateway.logs.length;
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'a very long story' }],
      max_tokens: 400,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const ids = new Set<string>();
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let killed: DemoNode | undefined;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      if (chunk.choices[0]?.delta.content) chunks++;
      usage = chunk.usage ?? usage;
      if (chunks === 20 && !killed) {
        killed = nodeById((await offeredNode(from)).nodeId);
        killed.process.child.kill('SIGKILL');
      }
    }
    expect(killed).toBeDefined();
    expect(ids.size).toBe(1);
    expect(usage!.completion_tokens).toBe(chunks);
    expect(chunks).toBe(400);
    const survivor = demo.nodes.find((node) => node !== killed)!;
    const continued = await demo.gateway.waitForLog(
      (line) => line.msg === 'stream broke; continuing on another node',
      from,
    );
    expect(continued.to).toBe(`node:${survivor.id}`);
    const rows = (await usageRows()).filter((row) => row.requestId === ids.values().next().value);
    expect(rows.map((row) => row.nodeId).sort()).toEqual([killed!.id, survivor.id].sort());
    expect(rows.reduce((sum, row) => sum + row.completionTokens, 0)).toBe(chunks);
    const charged = rows.reduce((sum, row) => sum + row.chargedNanos, 0);
    const credited = rows.reduce((sum, row) => sum + row.creditedNanos, 0);
    const fees = rows.reduce((sum, row) => sum + row.feeNanos, 0);
    expect(credited).toBeGreaterThan(0);
    expect(charged).toBe(credited + fees);
    for (const row of rows) expect(row.creditedNanos).toBeGreaterThan(0);
    demo.nodes.splice(demo.nodes.indexOf(killed!), 1);
    await demo.addNode();
  });

  it('ends the stream with an SSE error event when no node can continue it', async () => {
    const from = demo.gateway.logs.length;
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'a very long story' }],
      max_tokens: 1800,
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    const victim = nodeById((await offeredNode(from)).nodeId);
    const other = demo.nodes.find((node) => node !== victim)!;
    const mark = demo.gateway.logs.length;
    await callNode(other.control, 'pause', { minutes: 60 });
    await demo.gateway.waitForLog(
      (line) => line.msg === 'node availability' && line.nodeId === other.id && !line.serving,
      mark,
    );
    victim.process.child.kill('SIGKILL');
    const failure = await (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return new Error('the stream ended without an error event');
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toMatch(/node/i);
    await callNode(other.control, 'resume', {});
    demo.nodes.splice(demo.nodes.indexOf(victim), 1);
    await demo.addNode();
  });

  it('comes back after a gateway restart with nodes reconnected and nothing lost', async () => {
    const before = await usageRows();
    const offline = demo.nodes.map((node) =>
      node.process.waitForLog((line) => line.msg === 'link offline'),
    );
    expect(await demo.gateway.stop()).toBe(0);
    await Promise.all(offline);
    await demo.restartGateway();
    // Each node says it is online again (its log pipe may lag the gateway's).
    const onlineTwice = (node: DemoNode) => () =>
      node.process.logs.filter((line) => line.msg === 'link online').length >= 2;
    await Promise.all(demo.nodes.map((node) => node.process.waitForLog(onlineTwice(node))));
    expect((await usageRows()).map((row) => row.jobId).sort()).toEqual(
      before.map((row) => row.jobId).sort(),
    );
    const completion = await ask('still here after the restart?', 3);
    expect(completion.usage!.completion_tokens).toBe(3);
  });

  it('refuses a wrong or missing API key with 401', async () => {
    const bad = new OpenAI({ baseURL: demo.baseURL, apiKey: 'byoi-sk-wrong', maxRetries: 0 });
    const error = await bad.chat.completions
      .create({ model: 'tiny', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    const anonymous = await fetch(`${demo.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_api_key',
    );
  });

  it('answers 404 for a model no node serves', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
  });

  it("queues a burst of 4x the network's slots and serves every request in turn, with no 503", async () => {
    // Two nodes with two slots each.
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        ask(`burst ${i}`, 4).then((c) => c.usage!.completion_tokens),
      ),
    );
    expect(burst).toEqual(Array.from({ length: 16 }, () => 4));
  });

  it('answers 503 busy with Retry-After when the queue is full', async () => {
    // Fill every slot with long streams, then the queue (its cap is 12 here), then one more.
    const aborts: AbortController[] = [];
    const occupy = async () => {
      const abort = new AbortController();
      aborts.push(abort);
      const stream = await client.chat.completions.create(
        {
          model: 'tiny',
          messages: [{ role: 'user', content: 'occupy' }],
          max_tokens: 1800,
          stream: true,
        },
        { signal: abort.signal },
      );
      await stream[Symbol.asyncIterator]().next();
    };
    await Promise.all(Array.from({ length: 4 }, occupy));
    const from = demo.gateway.logs.length;
    const waiting = Array.from({ length: 12 }, (_, i) => {
      const abort = new AbortController();
      aborts.push(abort);
      return client.chat.completions
        .create(
          { model: 'tiny', messages: [{ role: 'user', content: `wait ${i}` }], max_tokens: 2 },
          { signal: abort.signal },
        )
        .catch((error: unknown) => error);
    });
    await demo.gateway.waitForLog(
      () =>
        demo.gateway.logs.slice(from).filter((line) => line.msg === 'request queued').length >= 12,
      from,
    );
    const response = await fetch(`${demo.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tiny',
        messages: [{ role: 'user', content: 'one too many' }],
      }),
    });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('no_capacity');
    expect(body.error.message).toMatch(/busy/);
    for (const abort of aborts) abort.abort();
    await Promise.all(waiting);
  });

  // Last: its node jobs credit the demo org, which the accounting tests above add up.
  it('answers a repeat from the cache once an org switches it on: a node model is keyed by its file hash', async () => {
    const org = await demo.admin<{ id: string }>('POST', '/orgs', { name: 'cached' });
    const { key } = await demo.admin<{ key: string }>('POST', `/orgs/${org.id}/keys`, {});
    await demo.admin('PUT', '/cache', { orgId: org.id, enabled: true });
    const cached = new OpenAI({ baseURL: demo.baseURL, apiKey: key, maxRetries: 0 });
    const question = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'cache this' }],
      max_tokens: 8,
      temperature: 0,
    };
    // Each node announces its model file's SHA-256 (hashed after loading); both serve one file.
    const first = await cached.chat.completions.create(question).withResponse();
    expect(first.response.headers.get('x-byoi-route')).toBe('node');
    const again = await cached.chat.completions.create(question).withResponse();
    expect(again.response.headers.get('x-byoi-cache')).toBe('hit');
    expect(again.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
  });
});
