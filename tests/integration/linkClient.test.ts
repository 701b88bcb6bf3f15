// Stays on the stand-in: what needs raw frames or a scripted peer (hello/announce wire fields, chunk numbering, offers at odd prices/models or into a full slot, an abrupt drop, forged receipts, an old gateway without receipts.request, the exact close frame); normal flows run on the real gateway in realGatewayLink.test.ts.
/**
 * The real LinkClient against a stand-in gateway (a real `ws` WebSocketServer, see
 * tests/support/standInGateway.ts) and a real ModelHost on the generated tiny model: the
 * wire frames of the handshake, the announce and jobs, offers it must refuse, cancellation,
 * a dropped link, forged receipts and asking for missed ones. Waits on events, never sleeps.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CloseCode,
  GATEWAY_FEATURE_RECEIPTS_REQUEST,
  MAX_RECEIPT_REQUEST_IDS,
  MODEL_CAPABILITIES,
  PROTOCOL_VERSION,
  RECEIPT_REQUESTS_PER_LINK,
  priceJob,
  type Receipt,
} from '../../common/protocol.js';
import { ModelHost } from '../../main/engine/inference/modelHost.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../main/engine/link/identity.js';
import type { LinkClientOptions } from '../../main/engine/link/linkClient.js';
import { Ledger } from '../../main/engine/ledger/ledger.js';
import { silentLogger } from '../../common/log.js';
import { nextEvent, startLinkHarness, type LinkHarness } from '../support/linkHarness.js';
import { ManualTimers } from '../support/manualTimers.js';
import { PRICE, request, signReceipt, type Frame } from '../support/standInGateway.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let host: ModelHost;
let dataDir: string;
let identity: NodeIdentity;
let ledger: Ledger;
const SPLIT = { rewards: 100, exchange: 0, mission: 0 };
const harnesses: LinkHarness[] = [];
/** The link's timers (reconnect delay, handshake deadline, heartbeat); fresh for each test. */
let timers: ManualTimers;

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
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-link-'));
  identity = await loadOrCreateIdentity(dataDir);
  ledger = await Ledger.open({ dataDir });
});

afterAll(async () => {
  await ledger.close();
  await host.unload();
  model.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  timers = new ManualTimers();
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.close();
});

async function startClient(overrides: Partial<LinkClientOptions> = {}) {
  const harness = await startLinkHarness({
    identity,
    models: [{ host, price: PRICE, slots: 1, contextLength: host.contextPerSlot ?? 0 }],
    hardware: { summary: 'test CPU', backend: 'cpu' },
    receipts: { add: (receipt, signature) => ledger.addReceipt(receipt, signature, SPLIT) },
    clock: timers.clock(),
    ...overrides,
  });
  harnesses.push(harness);
  return harness;
}

describe('LinkClient', () => {
  it('signs the challenge and sends hello and announce as the protocol says; re-announces and refuses what it cannot serve', async () => {
    const { client, peer } = await startClient();
    const { hello, announce } = await peer.handshake();
    expect(hello).toMatchObject({
      v: PROTOCOL_VERSION,
      publicKey: identity.publicKey,
      agent: 'byoi-node/test',
    });
    expect(announce).toEqual({
      type: 'announce',
      models: [
        {
          id: 'tiny',
          price: PRICE,
          slots: 1,
          contextLength: 2048,
          capabilities: [...MODEL_CAPABILITIES],
        },
      ],
      hardware: { summary: 'test CPU', backend: 'cpu' },
      features: ['continuation'],
    });

    const newPrice = { prompt: 0.5, completion: 1 };
    client.updateModels([{ host, price: newPrice, slots: 1, contextLength: 2048 }]);
    await peer.frame('announce', (f) => f.models[0]?.price.prompt === 0.5);
    expect(() =>
      client.updateModels([
        { host, price: { prompt: 1001, completion: 0 }, slots: 1, contextLength: 1 },
      ]),
    ).toThrow(/cannot announce/);
    peer.offer('old-price', 2);
    expect(await peer.frame('job.reject', (f) => f.jobId === 'old-price')).toMatchObject({
      reason: 'price',
    });
    peer.offer('no-model', 2, newPrice, 'other');
    expect(await peer.frame('job.reject', (f) => f.jobId === 'no-model')).toMatchObject({
      reason: 'model',
    });
    peer.offer('new-price', 2, newPrice);
    await peer.frame('job.done', (f) => f.jobId === 'new-price');
  });

  it('accepts a job, then numbers its chunks and reports usage and timings in its frames', async () => {
    const direct = await host.generate(request(12));
    const { peer } = await startClient();
    await peer.handshake();
    peer.offer('job-1', 12);
    const done = await peer.frame('job.done', (f) => f.jobId === 'job-1');
    const frames = peer.frames.filter((f) => 'jobId' in f && f.jobId === 'job-1');
    expect(frames[0]).toEqual({ type: 'job.accept', jobId: 'job-1' });
    const chunks = frames.filter((f): f is Frame<'job.chunk'> => f.type === 'job.chunk');
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.text).join('')).toBe(direct.text);
    expect(done).toMatchObject({
      finishReason: 'length',
      usage: { promptTokens: direct.promptTokens, completionTokens: 12 },
    });
    expect(done.timings.durationMs).toBeGreaterThanOrEqual(done.timings.timeToFirstTokenMs ?? 0);
  });

  it("rejects 'busy' while the slot is taken, and job.cancel stops the generation", async () => {
    const { client, peer } = await startClient();
    await peer.handshake();
    const ended = nextEvent(client, 'job', (end) => end.jobId === 'long');
    peer.offer('long', 1900);
    await peer.frame('job.chunk', (f) => f.jobId === 'long');
    peer.offer('second', 2);
    expect(await peer.frame('job.reject', (f) => f.jobId === 'second')).toMatchObject({
      reason: 'busy',
    });
    peer.send({ type: 'job.cancel', jobId: 'long', reason: 'client left' });
    const end = await ended;
    expect(end.outcome).toBe('cancelled');
    expect(end.chunks).toBeLessThan(1900);
    expect(host.freeSlots).toBe(1);
    peer.offer('after', 2); // frames arrive in order: nothing more came for 'long' before this
    await peer.frame('job.done', (f) => f.jobId === 'after');
    expect(
      peer.frames.filter((f) => 'jobId' in f && f.jobId === 'long' && /done|error/.test(f.type)),
    ).toEqual([]);
  });

  it('aborts in-flight jobs when the link drops, then reconnects', async () => {
    const { client, peer, standIn } = await startClient();
    await peer.handshake();
    const ended = nextEvent(client, 'job', (end) => end.jobId === 'dropped');
    const offline = nextEvent(client, 'state', (s) => s.state === 'offline');
    peer.offer('dropped', 1900);
    await peer.frame('job.chunk', (f) => f.jobId === 'dropped');
    peer.ws.terminate();
    const end = await ended;
    expect(end.outcome).toBe('aborted');
    expect(end.chunks).toBeLessThan(1900);
    expect(host.freeSlots).toBe(1);
    const { retryInMs } = await offline;
    expect(standIn.peers).toHaveLength(1); // it waits for the reconnect delay
    await timers.advance(retryInMs ?? 0);
    await (await standIn.peer(1)).handshake();
  });

  it('stores verified receipts once each and refuses forged ones', async () => {
    const { client, peer } = await startClient();
    await peer.handshake();
    const receipt: Receipt = {
      jobId: `r-${randomBytes(4).toString('hex')}`,
      nodeId: 'node-1',
      model: 'tiny',
      promptTokens: 10,
      completionTokens: 20,
      price: PRICE,
      ...priceJob(PRICE, 10, 20, 1000),
      issuedAt: new Date().toISOString(),
    };
    const outcome = (r: Receipt, sig = signReceipt(r)) => {
      const event = nextEvent(client, 'receipt', (e) => e.jobId === r.jobId);
      peer.send({ type: 'receipt', receipt: r, signature: sig });
      return event.then((e) => e.outcome);
    };
    expect(await outcome(receipt)).toBe('stored');
    expect(await outcome(receipt)).toBe('duplicate');
    expect(
      await outcome({ ...receipt, jobId: 'forged', creditedNanos: 1e9 }, signReceipt(receipt)),
    ).toBe('refused');
    expect(await outcome({ ...receipt, jobId: 'elsewhere', nodeId: 'node-2' })).toBe('refused');
    await ledger.close();
    ledger = await Ledger.open({ dataDir });
    const summary = ledger.summary();
    expect(summary.settled).toBeCloseTo(receipt.creditedNanos / 1e9, 12);
    expect(summary.discrepancies.map((d) => d.jobId)).toEqual([receipt.jobId]);
  });

  it('asks for missed receipts only from a gateway that offers it, within its budget', async () => {
    const waiting = Array.from({ length: 1500 }, (_, i) => `job_waiting_${i}`);
    const marked: string[][] = [];
    const receipts = {
      add: () => Promise.resolve(true),
      pending: (limit: number) => waiting.slice(0, limit),
      unknown: (jobIds: readonly string[]) => void marked.push([...jobIds]),
    };
    /** Every frame the node sent before it answered an offer for a model it lacks. */
    const framesUpToAReject = async (peer: LinkHarness['peer']) => {
      peer.offer('probe', 2, PRICE, 'other');
      await peer.frame('job.reject', (f) => f.jobId === 'probe');
      return peer.frames;
    };

    const old = await startClient({ receipts });
    await old.peer.handshake();
    expect((await framesUpToAReject(old.peer)).map((f) => f.type)).not.toContain(
      'receipts.request',
    );

    const { client, peer } = await startClient({ receipts });
    await peer.handshake(60_000, [GATEWAY_FEATURE_RECEIPTS_REQUEST]);
    const requests = (await framesUpToAReject(peer)).filter((f) => f.type === 'receipts.request');
    expect(requests.map((f) => f.jobIds.length)).toEqual([
      MAX_RECEIPT_REQUEST_IDS,
      MAX_RECEIPT_REQUEST_IDS,
      MAX_RECEIPT_REQUEST_IDS,
      MAX_RECEIPT_REQUEST_IDS,
    ]);
    expect(requests.length).toBe(RECEIPT_REQUESTS_PER_LINK);
    expect(requests.flatMap((f) => f.jobIds)).toEqual(
      waiting.slice(0, RECEIPT_REQUESTS_PER_LINK * MAX_RECEIPT_REQUEST_IDS),
    );

    const unknown = nextEvent(client, 'receipt', (e) => e.jobId === 'job_waiting_1');
    peer.send({ type: 'receipts.unknown', jobIds: ['job_waiting_0', 'job_waiting_1'] });
    expect(await unknown).toEqual({ jobId: 'job_waiting_1', outcome: 'unknown' });
    expect(marked).toEqual([['job_waiting_0', 'job_waiting_1']]);
  });

  it('closes with 1001 on stop and does not reconnect', async () => {
    const { client, peer, standIn } = await startClient();
    await peer.handshake();
    await client.stop();
    expect(await peer.closed).toEqual({ code: CloseCode.GoingAway, reason: 'node shutting down' });
    expect(client.status).toMatchObject({ state: 'offline', code: 1001, retryInMs: null });
    expect(standIn.peers).toHaveLength(1);
  });
});
