/**
 * Protocol fuzzing: at least 1,000 random and malformed frames leave both the real gateway
 * and the real node engine serving. Frames come from fast-check with a fixed seed (see
 * tests/support/fuzzFrames.ts); the tests wait on events, never sleep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, MAX_FRAME_BYTES } from '../../common/protocol.js';
import { ModelHost } from '../../main/engine/inference/modelHost.js';
import { loadOrCreateIdentity } from '../../main/engine/link/identity.js';
import { Ledger } from '../../main/engine/ledger/ledger.js';
import { silentLogger } from '../../common/log.js';
import { LinkClient, model, type NodeIdentity } from '../gateway-link/support/standInNode.js';
import { startTestGateway, USER } from '../gateway-link/support/testGateway.js';
import {
  FUZZ_SEED,
  malformedGatewayFrames,
  nodeFuzzFrames,
  nonsenseGatewayFrames,
  type RawFrame,
} from '../support/fuzzFrames.js';
import { nextEvent, startLinkHarness } from '../support/linkHarness.js';
import { PRICE, type Peer } from '../support/standInGateway.js';
import { createTempModel } from '../support/tempModel.js';

/** Close codes a fuzzed link may end with: the protocol's, or ws's own "message too big". */
const ALLOWED_CLOSE_CODES: ReadonlySet<number> = new Set([...Object.values(CloseCode), 1009]);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Counts close codes by value. */
function tally<K>(codes: Map<K, number>, code: K): void {
  codes.set(code, (codes.get(code) ?? 0) + 1);
}

describe(`protocol fuzzing (FUZZ_SEED=${FUZZ_SEED})`, () => {
  it('the gateway survives 1,000+ random and malformed node frames', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const { identity } = await t.enroll();
    const codes = new Map<number, number>();
    let sent = 0;

    // Before the handshake: every frame instead of a hello closes the link.
    for (const frame of nodeFuzzFrames(100, 10)) {
      const link = await LinkClient.open(t.gateway.linkUrl);
      await link.next('challenge');
      link.send(frame);
      sent++;
      tally(codes, (await link.closed).code);
    }

    // After the handshake: a frame either is handled (the gateway answers the ping behind it)
    // or closes the link, after which the stand-in dials and shakes hands again.
    const online = async (who: NodeIdentity) => {
      const link = await LinkClient.open(t.gateway.linkUrl);
      await link.hello(who);
      await link.next('welcome');
      return link;
    };
    const oversized: RawFrame[] = [
      JSON.stringify({ type: 'announce', pad: 'x'.repeat(MAX_FRAME_BYTES) }),
      'x'.repeat(2 * MAX_FRAME_BYTES + 1),
    ];
    let link = await online(identity);
    let handshakes = 1;
    for (const frame of [...nodeFuzzFrames(920, 20), ...oversized]) {
      if (link.ws.readyState !== WebSocket.OPEN) {
        tally(codes, (await link.closed).code);
        link = await online(identity);
        handshakes++;
      }
      link.send(frame);
      sent++;
      await Promise.race([link.sync(), link.closed]);
    }
    if (link.ws.readyState !== WebSocket.OPEN) tally(codes, (await link.closed).code);
    link.close();
    console.info('gateway fuzz', { sent, handshakes, codes: Object.fromEntries(codes) });

    expect(sent).toBeGreaterThanOrEqual(1000);
    expect([...codes.keys()].filter((code) => !ALLOWED_CLOSE_CODES.has(code))).toEqual([]);

    // Still serving: a real handshake, a completed request, and /healthz.
    const { link: node } = await t.connectNode([model('after-fuzz')]);
    const reply = t.client.chat.completions.create({ model: 'after-fuzz', messages: USER });
    await node.serveNext(['still', ' here']);
    expect((await reply).choices[0]?.message.content).toBe('still here');
    const health = await fetch(`${t.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', nodes: 1 });
  });

  it('the node survives 1,000+ nonsensical and malformed gateway frames', async () => {
    const tiny = createTempModel();
    cleanups.push(() => tiny.cleanup());
    const host = new ModelHost({
      path: tiny.path,
      threads: 1,
      slots: 1,
      maxQueued: 0,
      logger: silentLogger,
    });
    await host.load();
    cleanups.push(() => host.unload());
    const dataDir = mkdtempSync(join(tmpdir(), 'byoi-fuzz-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const ledger = await Ledger.open({ dataDir });
    cleanups.push(() => ledger.close());
    const harness = await startLinkHarness({
      identity: await loadOrCreateIdentity(dataDir),
      models: [{ host, price: PRICE, slots: 1, contextLength: host.contextPerSlot ?? 0 }],
      hardware: { summary: 'test CPU', backend: 'cpu' },
      receipts: {
        add: (receipt, signature) =>
          ledger.addReceipt(receipt, signature, { rewards: 100, exchange: 0, mission: 0 }),
      },
    });
    cleanups.push(() => harness.close());
    const { client, standIn } = harness;
    let peer: Peer = harness.peer;
    await peer.handshake();

    // A long job holds the only slot, so offers meet 'busy' and its id meets 'invalid'.
    const longEnded = nextEvent(client, 'job', (end) => end.jobId === 'long');
    peer.offer('long', 1900);
    await peer.frame('job.chunk', (f) => f.jobId === 'long');

    const frames = nonsenseGatewayFrames(1100, 'long');
    const offers = frames.filter((f) => f.type === 'job.offer').length;
    const receipts = frames.filter((f) => f.type === 'receipt').length;
    const outcomes: string[] = [];
    const allReceipts = new Promise<void>((resolve) =>
      client.on('receipt', (event) => {
        outcomes.push(event.outcome);
        if (outcomes.length === receipts) resolve();
      }),
    );
    for (const frame of frames) peer.send(frame);
    // Frames are handled in order, so the answer to this last offer follows all the others.
    peer.offer('sentinel', 1, PRICE, 'no-such-model');
    await peer.frame('job.reject', (f) => f.jobId === 'sentinel');
    await allReceipts;
    const answers = peer.frames.filter((f) => f.type === 'job.reject');
    const reasons = new Map<string, number>();
    for (const answer of answers) tally(reasons, answer.reason);
    console.info('node fuzz', {
      sent: frames.length,
      offers,
      receipts,
      reasons: Object.fromEntries(reasons),
    });

    expect(frames.length).toBeGreaterThanOrEqual(1000);
    expect(answers).toHaveLength(offers + 1);
    expect(new Set(outcomes)).toEqual(new Set(['refused']));
    peer.send({ type: 'job.cancel', jobId: 'long', reason: 'fuzz over' });
    expect(await longEnded).toMatchObject({ outcome: 'cancelled' });

    // Malformed frames (and a second welcome) each close the link; the node dials again.
    const malformed = [
      ...malformedGatewayFrames(20),
      JSON.stringify({ type: 'welcome', nodeId: 'n', orgId: 'o', heartbeatMs: 1 }),
    ];
    const codes = new Map<number, number>();
    for (const [index, text] of malformed.entries()) {
      peer.send(text);
      tally(codes, (await peer.closed).code);
      peer = await standIn.peer(index + 1);
      await peer.handshake();
    }
    console.info('node malformed', { sent: malformed.length, codes: Object.fromEntries(codes) });
    expect([...codes.keys()].filter((code) => !ALLOWED_CLOSE_CODES.has(code))).toEqual([]);
    expect(client.state).toBe('online');

    // Still serving: a valid offer is accepted and completed.
    peer.offer('after-fuzz', 4);
    await peer.frame('job.accept', (f) => f.jobId === 'after-fuzz');
    expect(await peer.frame('job.done', (f) => f.jobId === 'after-fuzz')).toMatchObject({
      usage: { completionTokens: 4 },
    });
  });
});
