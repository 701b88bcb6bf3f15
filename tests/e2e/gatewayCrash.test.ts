/**
 * `kill -9` of the real gateway process under streaming load, then a restart on the same
 * data folder: every ledger row still balances (charged = credited + fee), no job is there
 * twice, and every job a node finished is settled by a receipt sent again on its next link
 * or named as unknown (a discrepancy the node can see). The nodes are stand-ins that speak
 * the real protocol, so the test knows exactly which jobs each one finished.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { LINK_PATH, type AnnouncedModel, type Receipt } from '../../common/protocol.js';
import { callAdmin } from '../../demo/adminApi.js';
import { GATEWAY_BIN, spawnJsonProcess, type JsonProcess } from '../../demo/jsonProcess.js';
import type { UsageRecord } from '../../gateway/store/types.js';
import { tempDir } from '../gateway/helpers.js';
import { LinkClient, model, NodeIdentity } from '../gateway-link/support/standInNode.js';

const STREAMS = 12;
const adminToken = randomBytes(24).toString('hex');
let dir: Awaited<ReturnType<typeof tempDir>>;
let gateway: JsonProcess<{ url: string }>;

const start = () =>
  spawnJsonProcess<{ url: string }>(GATEWAY_BIN, [
    '--json',
    '--port',
    '0',
    '--data-dir',
    join(dir.path, 'gateway'),
    '--admin-token',
    adminToken,
  ]);

const admin = <T>(method: string, path: string, body?: unknown) =>
  callAdmin<T>(gateway.ready.url, adminToken, method, path, body);

/** Links `identity` to the running gateway and announces. */
async function link(identity: NodeIdentity, models: AnnouncedModel[]): Promise<LinkClient> {
  const client = await LinkClient.open(`${gateway.ready.url.replace(/^http/, 'ws')}${LINK_PATH}`);
  await client.hello(identity);
  const welcome = await client.next('welcome');
  expect(welcome.features).toContain('receipts.request');
  await client.announce(models);
  return client;
}

beforeAll(async () => {
  dir = await tempDir();
  gateway = await start();
});

afterAll(async () => {
  await gateway?.stop();
  await dir?.remove();
});

describe('kill -9 under streaming load', () => {
  it('keeps the ledger balanced, and every finished job is receipted again or named unknown', async () => {
    const clients = await admin<{ id: string }>('POST', '/orgs', { name: 'clients' });
    const providers = await admin<{ id: string }>('POST', '/orgs', { name: 'providers' });
    const { key } = await admin<{ key: string }>('POST', `/orgs/${clients.id}/keys`, {});
    const identities = [NodeIdentity.create(), NodeIdentity.create()];
    for (const identity of identities) {
      const { code } = await admin<{ code: string }>(
        'POST',
        `/orgs/${providers.id}/enrollment-codes`,
        {},
      );
      expect((await identity.enroll(gateway.ready.url, code)).status).toBe(200);
    }
    const models = [model('crash', { slots: STREAMS })];
    const nodes = await Promise.all(identities.map((identity) => link(identity, models)));

    // Every node finishes each job it is offered, and remembers which; half of the jobs
    // finish before the crash, the rest are mid-stream when it comes.
    const offered = nodes.map(() => [] as string[]);
    const finished = nodes.map(() => [] as string[]);
    const receipted = nodes.map(() => new Map<string, Receipt>());
    let offers = 0;
    let allOffered!: () => void;
    const allIn = new Promise<void>((resolve) => (allOffered = resolve));
    nodes.forEach((node, n) => {
      node.ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; receipt?: Receipt };
        if (frame.type === 'receipt') receipted[n]!.set(frame.receipt!.jobId, frame.receipt!);
      });
      void (async () => {
        for (;;) {
          const offer = await node.acceptNext();
          offered[n]!.push(offer.jobId);
          node.chunks(offer.jobId, ['one ', 'two ']);
          if (++offers % 2 === 0) {
            node.done(offer.jobId, { promptTokens: 9, completionTokens: 2 });
            finished[n]!.push(offer.jobId);
          }
          if (offers === STREAMS) allOffered();
        }
      })();
    });
    const client = new OpenAI({ baseURL: `${gateway.ready.url}/v1`, apiKey: key, maxRetries: 0 });
    const streams = Array.from({ length: STREAMS }, async () => {
      const stream = await client.chat.completions.create({
        model: 'crash',
        messages: [{ role: 'user', content: 'go' }],
        stream: true,
      });
      for await (const chunk of stream) void chunk;
    });
    const settled = Promise.allSettled(streams);
    await allIn;
    for (const node of nodes) await node.sync(); // every done frame has reached the gateway

    gateway.child.kill('SIGKILL');
    await settled;
    await Promise.all(nodes.map((node) => node.closed));
    gateway = await start();

    // Each node links again and asks for every receipt it has not got, finished or not.
    for (const [n, identity] of identities.entries()) {
      const again = await link(identity, models);
      const missing = offered[n]!.filter((jobId) => !receipted[n]!.has(jobId));
      if (missing.length === 0) continue;
      const unknown = new Set<string>();
      const answered = new Promise<void>((resolve) => {
        const answer = (data: unknown) => {
          const frame = JSON.parse(String(data)) as
            { type: 'receipt'; receipt: Receipt } | { type: 'receipts.unknown'; jobIds: string[] };
          if (frame.type === 'receipt') receipted[n]!.set(frame.receipt.jobId, frame.receipt);
          else if (frame.type === 'receipts.unknown') frame.jobIds.forEach((id) => unknown.add(id));
          if (missing.every((jobId) => receipted[n]!.has(jobId) || unknown.has(jobId))) resolve();
        };
        again.ws.on('message', answer);
      });
      again.send({ type: 'receipts.request', jobIds: missing });
      await answered;
      // A job that never finished was never accounted: the gateway cannot know it.
      for (const jobId of offered[n]!) {
        if (!finished[n]!.includes(jobId)) expect(unknown.has(jobId)).toBe(true);
      }
      again.close();
    }

    const { data: rows } = await admin<{ data: UsageRecord[] }>(
      'GET',
      `/usage?orgId=${clients.id}&limit=1000`,
    );
    const jobIds = rows.map((row) => row.jobId);
    expect(new Set(jobIds).size).toBe(jobIds.length); // nothing twice
    for (const row of rows) {
      expect(row.chargedNanos).toBe(row.creditedNanos + row.feeNanos);
    }
    // Every receipt a node holds matches the ledger row of its job.
    for (const [n, held] of receipted.entries()) {
      for (const [jobId, receipt] of held) {
        const row = rows.find((r) => r.jobId === jobId)!;
        expect(row.nodeId).toBe(receipt.nodeId);
        expect(row.creditedNanos).toBe(receipt.creditedNanos);
        expect(finished[n]).toContain(jobId);
      }
    }
  });
});
