/**
 * Two real `byoi-gateway` processes on one real PostgreSQL, each with one real `byoi-node`
 * serving a different model: the real `openai` client on instance 1 is answered for the
 * model only instance 2's node serves (relayed, streamed and whole, one usage row each), a
 * key's rpm holds across both instances, and after `kill -9` of instance 2 its node (given
 * both URLs) links to instance 1 and serves there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAdmin } from '../../demo/adminApi.js';
import {
  GATEWAY_BIN,
  NODE_BIN,
  runToCompletion,
  spawnJsonProcess,
  type JsonProcess,
} from '../../demo/jsonProcess.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

const available = postgresAvailable();

type Gateway = JsonProcess<{ url: string }>;
interface NodeReady {
  nodeId: string | null;
}

let postgres: PostgresServer;
let database: string;
let dir: string;
let models: TempModel[] = [];
let gateways: Gateway[] = [];
const nodes: JsonProcess<NodeReady>[] = [];
let adminToken: string;
let orgId: string;
let apiKey: string;
let betaNode: JsonProcess<NodeReady>;

const startGateway = () =>
  spawnJsonProcess<{ url: string }>(GATEWAY_BIN, [
    '--json',
    '--port',
    '0',
    '--database',
    database,
    '--data-dir',
    mkdtempSync(join(dir, 'gateway-')),
  ]);

const admin = <T>(gateway: Gateway, method: string, path: string, body?: unknown) =>
  callAdmin<T>(gateway.ready.url, adminToken, method, path, body);

async function startNode(gateway: Gateway, model: TempModel, urls: string[]) {
  const dataDir = mkdtempSync(join(dir, 'node-'));
  const { code } = await admin<{ code: string }>(
    gateway,
    'POST',
    `/orgs/${orgId}/enrollment-codes`,
    {},
  );
  const enrolled = await runToCompletion(NODE_BIN, [
    'enroll',
    '--gateway',
    gateway.ready.url,
    '--code',
    code,
    '--data-dir',
    dataDir,
  ]);
  expect(enrolled.code, enrolled.stderr).toBe(0);
  const node = await spawnJsonProcess<NodeReady>(NODE_BIN, [
    '--json',
    '--model',
    model.path,
    '--openai',
    '127.0.0.1:0',
    '--control',
    '127.0.0.1:0',
    '--threads',
    '1',
    '--data-dir',
    dataDir,
    '--gateway',
    urls.join(','),
  ]);
  nodes.push(node);
  await gateway.waitForLog(
    (line) => line.msg === 'node announced' && line.nodeId === node.ready.nodeId,
  );
  return node;
}

const clientOf = (gateway: Gateway, key = apiKey) =>
  new OpenAI({ baseURL: `${gateway.ready.url}/v1`, apiKey: key, maxRetries: 0 });

const ask = (gateway: Gateway, model: string, key?: string) =>
  clientOf(gateway, key)
    .chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hello cluster' }],
      max_tokens: 4,
      temperature: 0,
    })
    .withResponse();

describe.skipIf(!available.available)('a cluster of two gateways on one PostgreSQL', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byoi-cluster-'));
    postgres = await startPostgres();
    database = await postgres.newDatabase();
    models = [createTempModel('alpha'), createTempModel('beta')];
    // Both start at once: they must agree on one signing key and one admin token.
    gateways = await Promise.all([startGateway(), startGateway()]);
    const db = new pg.Client({ connectionString: database });
    await db.connect();
    try {
      const { rows } = await db.query<{ value: string }>(
        "SELECT value FROM cluster_secrets WHERE name = 'admin_token'",
      );
      adminToken = rows[0]!.value;
    } finally {
      await db.end();
    }
    orgId = (await admin<{ id: string }>(gateways[0]!, 'POST', '/orgs', { name: 'cluster' })).id;
    apiKey = (
      await admin<{ key: string }>(gateways[0]!, 'POST', `/orgs/${orgId}/keys`, { name: 'k' })
    ).key;
    const [one, two] = gateways as [Gateway, Gateway];
    const beta = startNode(two, models[1]!, [two.ready.url, one.ready.url]);
    await startNode(one, models[0]!, [one.ready.url]);
    betaNode = await beta;
    // Each instance sees the node the other holds.
    const relays = (model: string) => (line: { msg?: string; models?: unknown }) =>
      line.msg === 'cluster relays changed' && String(line.models).split(',').includes(model);
    await Promise.all([one.waitForLog(relays('beta')), two.waitForLog(relays('alpha'))]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await postgres?.stop();
    for (const model of models) model.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both instances use one signing key and one admin token', async () => {
    const [one, two] = gateways as [Gateway, Gateway];
    const orgsOne = await admin<{ data: { id: string }[] }>(one, 'GET', '/orgs');
    const orgsTwo = await admin<{ data: { id: string }[] }>(two, 'GET', '/orgs');
    expect(orgsTwo).toEqual(orgsOne);
    const internal = await fetch(`${one.ready.url}/internal/v1/relay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      body: '{}',
    });
    expect(internal.status).toBe(401);
    expect(((await internal.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_cluster_secret',
    );
  });

  it("relays a request for the other instance's model, whole and streamed, with one usage row each", async () => {
    const [one] = gateways as [Gateway];
    const listed = await clientOf(one).models.list();
    expect(listed.data.map((model) => model.id).sort()).toEqual(['alpha', 'beta']);

    const whole = await ask(one, 'beta');
    expect(whole.response.headers.get('x-byoi-route')).toBe('relay');
    expect(whole.data.usage!.completion_tokens).toBe(4);

    const streamed = await clientOf(one)
      .chat.completions.create({
        model: 'beta',
        messages: [{ role: 'user', content: 'hello cluster' }],
        max_tokens: 4,
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(streamed.response.headers.get('x-byoi-route')).toBe('relay');
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of streamed.data) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.data.choices[0]!.message.content);
    expect(usage).toEqual(whole.data.usage);

    const { data: rows } = await admin<{
      data: { model: string; nodeId: string | null; completionTokens: number; jobId: string }[];
    }>(one, 'GET', `/usage?orgId=${orgId}&limit=1000`);
    const beta = rows.filter((row) => row.model === 'beta');
    expect(beta).toHaveLength(2);
    for (const row of beta) {
      expect(row.nodeId).toBe(betaNode.ready.nodeId);
      expect(row.completionTokens).toBe(4);
    }
  });

  it('holds a key at rpm 10 across both instances: 10 of 30 requests succeed', async () => {
    const [one, two] = gateways as [Gateway, Gateway];
    const created = await admin<{ key: string; info: { id: string } }>(
      one,
      'POST',
      `/orgs/${orgId}/keys`,
      { name: 'limited' },
    );
    // Each instance rereads its settings at once after a change made through it.
    for (const gateway of gateways) {
      await admin(gateway, 'PUT', '/limits', { orgId, keyId: created.info.id, rpm: 10 });
    }
    // Windows are UTC minutes shared by both processes (their clocks are real here): a burst
    // must not straddle two. With under 10 s of this minute left, wait for the next to start.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left));
    const answers = await Promise.allSettled(
      Array.from({ length: 30 }, (_, n) =>
        ask(n % 2 === 0 ? one : two, n % 4 < 2 ? 'alpha' : 'beta', created.key),
      ),
    );
    const ok = answers.filter((answer) => answer.status === 'fulfilled');
    const refused = answers.filter(
      (answer) =>
        answer.status === 'rejected' && (answer.reason as { status?: number }).status === 429,
    );
    const other = answers.filter(
      (answer) =>
        answer.status === 'rejected' && (answer.reason as { status?: number }).status !== 429,
    );
    expect(other.map((answer) => String((answer as PromiseRejectedResult).reason))).toEqual([]);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(20);
  });

  it('after kill -9 of instance 2, its node links to instance 1 and serves there', async () => {
    const [one, two] = gateways as [Gateway, Gateway];
    const from = one.logs.length;
    two.child.kill('SIGKILL');
    await one.waitForLog(
      (line) => line.msg === 'node announced' && line.nodeId === betaNode.ready.nodeId,
      from,
    );
    const answer = await ask(one, 'beta');
    expect(answer.response.headers.get('x-byoi-route')).toBe('node');
    expect(answer.response.headers.get('x-byoi-node')).toBe(betaNode.ready.nodeId);
  });
});
