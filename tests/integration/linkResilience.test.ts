/**
 * The real LinkClient against a misbehaving stand-in gateway: malformed, oversized and
 * unexpected frames, refusals, silent pongs, timeouts and unreachable gateways. The node
 * never crashes; it closes with a reason and reconnects unless it must re-enroll.
 *
 * The sockets are real; the link's timers (reconnect delays, the handshake deadline, the
 * heartbeat) run on a clock the test moves, so nothing waits on real time.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../common/protocol.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../main/engine/link/identity.js';
import {
  LinkClient,
  STOP_CUT_OFF_MS,
  type LinkClientOptions,
  type LinkStatus,
} from '../../main/engine/link/linkClient.js';
import { nextEvent, startLinkHarness, type LinkHarness } from '../support/linkHarness.js';
import { ManualTimers } from '../support/manualTimers.js';
import { GATEWAY_KEY, type Peer } from '../support/standInGateway.js';

let dataDir: string;
let identity: NodeIdentity;
const cleanups: (() => Promise<void>)[] = [];
/** The link's clock; a fresh one for each test. */
let timers: ManualTimers;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-link-'));
  identity = await loadOrCreateIdentity(dataDir);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

beforeEach(() => {
  timers = new ManualTimers();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A client with no models, on the test's clock: these tests are about the link itself. */
async function startClient(overrides: Partial<LinkClientOptions> = {}, autoPong = true) {
  const harness: LinkHarness = await startLinkHarness(
    {
      identity,
      models: [],
      hardware: { summary: 'test CPU', backend: 'cpu' },
      clock: timers.clock(),
      ...overrides,
    },
    { autoPong },
  );
  cleanups.push(() => harness.close());
  return harness;
}

/** The client's status once it is offline (now, or when it next goes offline). */
function offline(client: LinkClient): Promise<LinkStatus> {
  if (client.state === 'offline') return Promise.resolve(client.status);
  return nextEvent(client, 'state', (s) => s.state === 'offline');
}

/** Waits until the link is offline, then moves the clock to its reconnect; the new peer. */
async function redial({ client, standIn }: LinkHarness): Promise<Peer> {
  const { retryInMs } = await offline(client);
  expect(retryInMs).toEqual(expect.any(Number));
  const dialed = standIn.peers.length;
  await timers.advance(retryInMs ?? 0);
  return standIn.peer(dialed);
}

/** A ping from the stand-in and its pong: the node has read everything sent before it. */
async function roundTrip(peer: Peer): Promise<void> {
  const pong = once(peer.ws, 'pong');
  peer.ws.ping();
  await pong;
}

const HEARTBEAT_MS = 15_000;
const HANDSHAKE_MS = 10_000;

describe('LinkClient with a misbehaving gateway', () => {
  it.each([
    ['not JSON', 'not json {', /not JSON/],
    [
      'an unknown type',
      JSON.stringify({ type: 'job.bogus', jobId: 'x' }),
      /unknown frame type 'job.bogus'/,
    ],
    [
      'a bad field',
      JSON.stringify({ type: 'job.cancel', jobId: '', reason: 'x' }),
      /'job.cancel' frame at jobId/,
    ],
  ])('closes the link with 4000 on %s, and reconnects', async (_, text, reason) => {
    const harness = await startClient();
    const { client, peer } = harness;
    await peer.handshake();
    const wentOffline = nextEvent(client, 'state', (s) => s.state === 'offline');
    peer.send(text);
    expect(await peer.closed).toMatchObject({
      code: CloseCode.BadFrame,
      reason: expect.stringMatching(reason),
    });
    expect(await wentOffline).toMatchObject({
      code: CloseCode.BadFrame,
      retryInMs: expect.any(Number),
    });
    await (await redial(harness)).handshake();
    expect(client.state).toBe('online');
  });

  it('survives an oversized frame and frames out of order', async () => {
    const harness = await startClient();
    const { peer } = harness;
    peer.send({ type: 'welcome', nodeId: 'n', orgId: 'o', heartbeatMs: 1000 });
    expect((await peer.closed).code).toBe(CloseCode.UnexpectedFrame);
    const second = await redial(harness);
    await second.handshake();
    second.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await second.closed).code).toBe(1009);
    await (await redial(harness)).handshake();
    expect(harness.standIn.peers).toHaveLength(3);
  });

  it('stops for good, saying an update is required, when the gateway speaks another protocol version', async () => {
    const { client, peer, standIn } = await startClient();
    peer.send({ type: 'challenge', v: 2, nonce: 'bm9uY2U=', gatewayPublicKey: GATEWAY_KEY });
    expect(await peer.closed).toMatchObject({
      code: CloseCode.UnsupportedVersion,
      reason: /protocol v2/,
    });
    expect(await offline(client)).toMatchObject({ retryInMs: null, updateRequired: true });
    // However long the clock runs, the node does not dial again.
    await timers.advance(24 * 3600_000);
    expect(standIn.peers).toHaveLength(1);
  });

  it('stops for good, saying an update is required, when the gateway refuses its version', async () => {
    const { client, peer, standIn } = await startClient();
    const closed = nextEvent(client, 'closed');
    peer.ws.close(CloseCode.UnsupportedVersion, 'this gateway speaks protocol v2');
    expect(await closed).toMatchObject({ code: CloseCode.UnsupportedVersion });
    expect(client.status).toMatchObject({
      state: 'offline',
      code: CloseCode.UnsupportedVersion,
      retryInMs: null,
      updateRequired: true,
    });
    await timers.advance(24 * 3600_000);
    expect(standIn.peers).toHaveLength(1);
  });

  it.each([CloseCode.UnknownKey, CloseCode.Revoked])(
    'stays offline after close code %i',
    async (code) => {
      const { client, peer, standIn } = await startClient();
      const closed = nextEvent(client, 'closed');
      peer.send({
        type: 'challenge',
        v: PROTOCOL_VERSION,
        nonce: 'bm9uY2U=',
        gatewayPublicKey: GATEWAY_KEY,
      });
      await peer.frame('hello');
      peer.ws.close(code, 'unknown node key');
      expect(await closed).toEqual({ code, reason: 'unknown node key' });
      expect(client.status).toMatchObject({
        state: 'offline',
        code,
        reason: 'unknown node key',
        retryInMs: null,
        updateRequired: false,
      });
      expect(standIn.peers).toHaveLength(1);
    },
  );

  it('keeps a link whose gateway answers every ping', async () => {
    const { client, peer, standIn } = await startClient();
    await peer.handshake(HEARTBEAT_MS);
    for (let beat = 0; beat < 5; beat++) {
      const pinged = once(peer.ws, 'ping');
      await timers.advance(HEARTBEAT_MS);
      await pinged;
      await roundTrip(peer); // the node has the stand-in's pong
    }
    expect(client.state).toBe('online');
    expect(standIn.peers).toHaveLength(1);
  });

  it('notices a gateway that stops answering pings, and reconnects', async () => {
    const harness = await startClient({}, false);
    const { client, peer } = harness;
    const closed = nextEvent(client, 'closed');
    await peer.handshake(HEARTBEAT_MS);
    let pings = 0;
    peer.ws.on('ping', () => pings++);
    // Two pings go unanswered, then the third beat drops the link; nothing before its time.
    for (let beat = 1; beat <= 2; beat++) {
      await timers.advance(HEARTBEAT_MS - 1);
      expect(pings).toBe(beat - 1);
      const pinged = once(peer.ws, 'ping');
      await timers.advance(1);
      await pinged;
    }
    await roundTrip(peer); // nothing more is in flight
    expect(client.state).toBe('online');
    await timers.advance(HEARTBEAT_MS);
    expect(await closed).toEqual({ code: 1006, reason: 'no pong for 2 heartbeats' });
    expect((await peer.closed).code).toBe(1006);
    expect(pings).toBe(2);
    await (await redial(harness)).handshake();
  });

  it('retries a gateway that cannot be reached, saying why', async () => {
    const { client, standIn } = await startClient();
    const gatewayURL = standIn.url;
    const wentOffline = nextEvent(client, 'state', (s) => s.state === 'offline');
    await standIn.close();
    const clock2 = new ManualTimers();
    const client2 = new LinkClient({
      gatewayURL,
      identity,
      models: [],
      hardware: { summary: 'x', backend: 'cpu' },
      backoff: { baseMs: 1000, capMs: 1000, random: () => 0.5 },
      clock: clock2.clock(),
    });
    cleanups.push(() => client2.stop());
    const unreachable = nextEvent(client2, 'state', (s) => s.state === 'offline');
    client2.start();
    expect(await unreachable).toMatchObject({ code: 1006, reason: /ECONNREFUSED/, retryInMs: 500 });
    expect((await wentOffline).retryInMs).toEqual(expect.any(Number));

    // The next attempt comes when the delay is up, not before, and fails the same way.
    const dialing = nextEvent(client2, 'state', (s) => s.state === 'connecting');
    await clock2.advance(499);
    expect(client2.state).toBe('offline');
    const again = nextEvent(client2, 'state', (s) => s.state === 'offline');
    await clock2.advance(1);
    await dialing;
    expect(await again).toMatchObject({ code: 1006, reason: /ECONNREFUSED/, retryInMs: 500 });
  });

  it('gives up on a gateway that sends no welcome in time', async () => {
    const { client, peer } = await startClient({ handshakeTimeoutMs: HANDSHAKE_MS });
    const wentOffline = nextEvent(client, 'state', (s) => s.state === 'offline');
    await roundTrip(peer); // the node's socket is open (the deadline counts from dialing)
    await timers.advance(HANDSHAKE_MS - 1);
    expect(client.state).toBe('connecting');
    await timers.advance(1);
    expect((await peer.closed).code).toBe(CloseCode.HandshakeTimeout);
    expect((await wentOffline).code).toBe(CloseCode.HandshakeTimeout);
  });

  it('cuts off a gateway that does not answer the close on stop', async () => {
    const { client, peer, standIn } = await startClient();
    await peer.handshake();
    await roundTrip(peer);
    peer.ws.pause(); // the stand-in reads nothing more, so never answers the close
    let stopped = false;
    const stopping = client.stop().then(() => (stopped = true));
    await timers.advance(STOP_CUT_OFF_MS - 1);
    expect(stopped).toBe(false);
    await timers.advance(1);
    await stopping;
    expect(client.status).toMatchObject({
      state: 'offline',
      code: CloseCode.GoingAway,
      reason: 'node shutting down',
      retryInMs: null,
    });
    peer.ws.resume();
    await peer.closed; // (whether the stand-in reads the close frame before the cut races)
    expect(standIn.peers).toHaveLength(1);
  });
});
