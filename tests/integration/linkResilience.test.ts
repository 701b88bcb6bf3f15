/**
 * The real LinkClient against a misbehaving stand-in gateway: malformed, oversized and
 * unexpected frames, refusals, silent pongs, timeouts and unreachable gateways. The node
 * never crashes; it closes with a reason and reconnects unless it must re-enroll.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../common/protocol.js';
import { loadOrCreateIdentity, type NodeIdentity } from '../../main/engine/link/identity.js';
import { LinkClient, type LinkClientOptions } from '../../main/engine/link/linkClient.js';
import { nextEvent, startLinkHarness, type LinkHarness } from '../support/linkHarness.js';
import { GATEWAY_KEY } from '../support/standInGateway.js';

let dataDir: string;
let identity: NodeIdentity;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-link-'));
  identity = await loadOrCreateIdentity(dataDir);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A client with no models: these tests are about the link itself. */
async function startClient(overrides: Partial<LinkClientOptions> = {}, autoPong = true) {
  const harness: LinkHarness = await startLinkHarness(
    { identity, models: [], hardware: { summary: 'test CPU', backend: 'cpu' }, ...overrides },
    { autoPong },
  );
  cleanups.push(() => harness.close());
  return harness;
}

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
    const { client, peer, standIn } = await startClient();
    await peer.handshake();
    const offline = nextEvent(client, 'state', (s) => s.state === 'offline');
    peer.send(text);
    expect(await peer.closed).toMatchObject({
      code: CloseCode.BadFrame,
      reason: expect.stringMatching(reason),
    });
    expect(await offline).toMatchObject({
      code: CloseCode.BadFrame,
      retryInMs: expect.any(Number),
    });
    await (await standIn.peer(1)).handshake();
    expect(client.state).toBe('online');
  });

  it('survives an oversized frame and frames out of order', async () => {
    const { peer, standIn } = await startClient();
    peer.send({ type: 'welcome', nodeId: 'n', orgId: 'o', heartbeatMs: 1000 });
    expect((await peer.closed).code).toBe(CloseCode.UnexpectedFrame);
    const second = await standIn.peer(1);
    await second.handshake();
    second.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await second.closed).code).toBe(1009);
    const third = await standIn.peer(2);
    third.send({ type: 'challenge', v: 2, nonce: 'bm9uY2U=', gatewayPublicKey: GATEWAY_KEY });
    expect(await third.closed).toMatchObject({
      code: CloseCode.UnsupportedVersion,
      reason: /protocol v2/,
    });
    await (await standIn.peer(3)).handshake();
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
      });
      expect(standIn.peers).toHaveLength(1);
    },
  );

  it('notices a gateway that stops answering pings, and reconnects', async () => {
    const { client, peer, standIn } = await startClient({}, false);
    const closed = nextEvent(client, 'closed');
    await peer.handshake(20);
    expect(await closed).toEqual({ code: 1006, reason: 'no pong for 2 heartbeats' });
    expect((await peer.closed).code).toBe(1006);
    await (await standIn.peer(1)).handshake();
  });

  it('retries a gateway that cannot be reached, saying why', async () => {
    const { client, standIn } = await startClient();
    const gatewayURL = standIn.url;
    const offline = nextEvent(client, 'state', (s) => s.state === 'offline');
    await standIn.close();
    const client2 = new LinkClient({
      gatewayURL,
      identity,
      models: [],
      hardware: { summary: 'x', backend: 'cpu' },
      backoff: { baseMs: 1000, capMs: 1000, random: () => 0.5 },
    });
    cleanups.push(() => client2.stop());
    const unreachable = nextEvent(client2, 'state', (s) => s.state === 'offline');
    client2.start();
    expect(await unreachable).toMatchObject({ code: 1006, reason: /ECONNREFUSED/, retryInMs: 500 });
    expect((await offline).retryInMs).toEqual(expect.any(Number));
  });

  it('gives up on a gateway that sends no welcome in time', async () => {
    const { client, peer } = await startClient({ handshakeTimeoutMs: 50 });
    const offline = nextEvent(client, 'state', (s) => s.state === 'offline');
    expect((await peer.closed).code).toBe(CloseCode.HandshakeTimeout);
    expect((await offline).code).toBe(CloseCode.HandshakeTimeout);
  });
});
