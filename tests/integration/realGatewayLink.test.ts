/**
 * The node's normal link flows against the real gateway, in-process with an in-memory store
 * (port 0): the real `enroll()`, then the real LinkClient and a real ModelHost on the
 * generated tiny model. Handshake and announce, a job the gateway offers for a client's
 * request, the signed receipt stored in the node's ledger, a client going away, and a
 * relink after the gateway closes the link. Waits on events, never sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { CloseCode, MODEL_CAPABILITIES, priceJob, type Receipt } from '../../common/protocol.js';
import { ModelHost } from '../../main/engine/inference/modelHost.js';
import { Ledger } from '../../main/engine/ledger/ledger.js';
import { enroll, type Enrollment } from '../../main/engine/link/enrollment.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../main/engine/link/identity.js';
import { LinkClient, type LinkClientOptions } from '../../main/engine/link/linkClient.js';
import { startTestGateway, type TestGateway } from '../gateway-link/support/testGateway.js';
import { nextEvent } from '../support/linkHarness.js';
import { PRICE, request } from '../support/standInGateway.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

const FEE = 1000;
const SPLIT = { rewards: 100, exchange: 0, mission: 0 };
let t: TestGateway;
let model: TempModel;
let host: ModelHost;
let dataDir: string;
let identity: NodeIdentity;
let enrollment: Enrollment;
let ledger: Ledger;
const clients: LinkClient[] = [];
/** Every verified receipt the link handed to the ledger. */
const stored: { receipt: Receipt; signature: string }[] = [];

beforeAll(async () => {
  model = createTempModel();
  host = new ModelHost({
    path: model.path,
    threads: 1,
    slots: 1,
    maxQueued: 0,
    logger: silentLogger,
  });
  await host.load();
  t = await startTestGateway({ feeBasisPoints: FEE });
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-real-link-'));
  const { code } = await t.gateway.store.createEnrollmentCode(t.nodeOrgId);
  enrollment = await enroll({ gatewayURL: t.gateway.url, code, dataDir, name: 'rig' });
  identity = await loadOrCreateIdentity(dataDir);
  ledger = await Ledger.open({ dataDir });
});

afterAll(async () => {
  await ledger?.close();
  await t?.close();
  await host?.unload();
  model?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
});

/** The node's LinkClient dialing the real gateway, wired as the engine wires it. */
async function link(overrides: Partial<LinkClientOptions> = {}) {
  const client = new LinkClient({
    gatewayURL: enrollment.gatewayURL,
    gatewayPublicKey: enrollment.gatewayPublicKey,
    identity,
    models: [{ host, price: PRICE, slots: 1, contextLength: host.contextPerSlot ?? 0 }],
    hardware: { summary: 'test CPU', backend: 'cpu' },
    logger: silentLogger,
    agent: 'byoi-node/test',
    backoff: { baseMs: 1, capMs: 5 },
    receipts: {
      add: (receipt, signature) => {
        stored.push({ receipt, signature });
        return ledger.addReceipt(receipt, signature, SPLIT);
      },
      pending: (limit) => ledger.pendingJobIds(limit),
      unknown: (jobIds) => ledger.markUnknownAtGateway(jobIds),
    },
    ...overrides,
  });
  clients.push(client);
  const states: string[] = [];
  client.on('state', (status) => states.push(status.state));
  const online = nextEvent(client, 'state', (s) => s.state === 'online');
  // The gateway sends the market figures once it has taken the first announce.
  const market = nextEvent(client, 'market');
  client.start();
  return { client, states, online, market };
}

/** The gateway's session for this node, while it is linked. */
const session = () => t.gateway.router.online().find((s) => s.nodeId === enrollment.nodeId);

describe('LinkClient against the real gateway', () => {
  it('passes the challenge with its enrolled key and announces its models, prices and features', async () => {
    expect(enrollment).toMatchObject({
      gatewayURL: t.gateway.url,
      orgId: t.nodeOrgId,
      gatewayPublicKey: t.gateway.publicKey,
    });
    const node = await t.gateway.store.nodeByPublicKey(identity.publicKey);
    expect(node).toMatchObject({ id: enrollment.nodeId, orgId: t.nodeOrgId, name: 'rig' });

    const { states, online, market } = await link();
    expect(await online).toMatchObject({
      state: 'online',
      nodeId: enrollment.nodeId,
      orgId: t.nodeOrgId,
      code: null,
    });
    await market;
    expect(states).toEqual(['connecting', 'online']);
    expect(session()?.announcedModels()).toEqual([
      {
        id: 'tiny',
        price: PRICE,
        slots: 1,
        contextLength: 2048,
        capabilities: [...MODEL_CAPABILITIES],
      },
    ]);
    expect(session()?.can('continuation')).toBe(true);
    expect(t.gateway.router.onlineModels()).toContain('tiny');
  });

  it("serves a client's request offered by the gateway, and stores the signed receipt", async () => {
    const direct = await host.generate(request(12));
    const { client, online, market } = await link();
    await online;
    await market;
    const ended = nextEvent(client, 'job');
    const receipt = nextEvent(client, 'receipt');
    const settledBefore = ledger.balances().settled;

    const stream = await t.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'tell me a story' }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(direct.text);
    expect(usage).toMatchObject({ prompt_tokens: direct.promptTokens, completion_tokens: 12 });

    const end = await ended;
    expect(end).toMatchObject({ outcome: 'done', completionTokens: 12 });
    expect(await receipt).toEqual({ jobId: end.jobId, outcome: 'stored' });
    const credited = priceJob(PRICE, direct.promptTokens, 12, FEE).creditedNanos;
    expect(ledger.balances().settled - settledBefore).toBeCloseTo(credited / 1e9, 12);
    const [kept] = stored.filter((r) => r.receipt.jobId === end.jobId);
    expect(kept?.receipt).toMatchObject({
      nodeId: enrollment.nodeId,
      model: 'tiny',
      promptTokens: direct.promptTokens,
      completionTokens: 12,
      price: PRICE,
      creditedNanos: credited,
    });
    // The ledger kept it once: the same signed receipt again is a duplicate.
    expect(await ledger.addReceipt(kept!.receipt, kept!.signature, SPLIT)).toBe(false);
  });

  it('stops the generation when the client goes away', async () => {
    const { client, online, market } = await link();
    await online;
    await market;
    const ended = nextEvent(client, 'job');
    const controller = new AbortController();
    const stream = await t.client.chat.completions.create(
      {
        model: 'tiny',
        messages: [{ role: 'user', content: 'tell me a story' }],
        max_tokens: 1900,
        temperature: 0,
        stream: true,
      },
      { signal: controller.signal },
    );
    const reading = (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) controller.abort();
      }
    })();
    // Aborting ends the stream (quietly or with an abort error): the gateway sees it go.
    await reading.catch((error: unknown) => expect(String(error)).toMatch(/abort/i));
    const end = await ended;
    expect(end.outcome).toBe('cancelled');
    expect(end.chunks).toBeLessThan(1900);
    expect(host.freeSlots).toBe(1);
  });

  it('relinks after the gateway closes the link normally', async () => {
    const { client, online, market } = await link();
    await online;
    await market;
    const closed = nextEvent(client, 'closed');
    const offline = nextEvent(client, 'state', (s) => s.state === 'offline');
    const relinked = nextEvent(client, 'market');
    t.gateway.router.disconnect(enrollment.nodeId, CloseCode.Normal, 'operator restart');
    expect(await closed).toMatchObject({ code: CloseCode.Normal, reason: 'operator restart' });
    expect((await offline).retryInMs).not.toBeNull();
    await relinked;
    expect(client.status).toMatchObject({ state: 'online', nodeId: enrollment.nodeId });
    expect(
      session()
        ?.announcedModels()
        .map((m) => m.id),
    ).toEqual(['tiny']);
  });
});
