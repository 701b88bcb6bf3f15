/**
 * The link handshake against the real gateway: enrollment over HTTP, then challenge, signed
 * hello and welcome over a real WebSocket; every way a hello can be wrong closes the link
 * with its own code.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { GUESS_LIMIT } from '../../gateway/api/guessThrottle.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualTimers } from '../support/manualTimers.js';
import {
  CloseCode,
  GATEWAY_FEATURE_RECEIPTS_REQUEST,
  PROTOCOL_VERSION,
} from '../../common/protocol.js';
import { LinkClient, model, NodeIdentity } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.close();
});

describe('enrollment', () => {
  it('binds a node key to the code’s organization and hands out the gateway key', async () => {
    const identity = NodeIdentity.create();
    const { code } = await t.gateway.store.createEnrollmentCode(t.nodeOrgId);
    const { status, body } = await identity.enroll(t.gateway.url, code, 'rig-1');
    expect(status).toBe(200);
    expect(body).toEqual({
      nodeId: expect.any(String),
      orgId: t.nodeOrgId,
      gatewayPublicKey: t.gateway.publicKey,
    });
    const node = await t.gateway.store.nodeByPublicKey(identity.publicKey);
    expect(node).toMatchObject({ id: body.nodeId, name: 'rig-1' });
  });

  it('refuses a used code, an unknown code, a bad key and a key enrolled already', async () => {
    const { code } = await t.gateway.store.createEnrollmentCode(t.nodeOrgId);
    const first = NodeIdentity.create();
    expect((await first.enroll(t.gateway.url, code)).status).toBe(200);

    const used = await NodeIdentity.create().enroll(t.gateway.url, code);
    expect(used.status).toBe(409);
    expect(used.body).toMatchObject({
      error: { code: 'enrollment_code_used', param: 'code', type: 'invalid_request_error' },
    });

    const unknown = await NodeIdentity.create().enroll(t.gateway.url, 'byoi-enroll-nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 'invalid_enrollment_code' } });

    const { code: fresh } = await t.gateway.store.createEnrollmentCode(t.nodeOrgId);
    const again = await first.enroll(t.gateway.url, fresh);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'node_key_in_use', param: 'publicKey' } });

    const badKey = await t.post('/v1/node/enroll', { code: fresh, publicKey: 'AAAA' }, null);
    expect(badKey.status).toBe(400);
    expect(await badKey.json()).toMatchObject({
      error: { code: 'invalid_public_key', param: 'publicKey' },
    });
    const noCode = await t.post('/v1/node/enroll', { publicKey: first.publicKey }, null);
    expect(noCode.status).toBe(400);
    expect(await noCode.json()).toMatchObject({ error: { param: 'code' } });
  });
});

describe('handshake', () => {
  it('welcomes an enrolled node that signs this connection’s challenge', async () => {
    const { identity, nodeId } = await t.enroll();
    const link = await LinkClient.open(t.gateway.linkUrl);
    const { challenge } = await link.hello(identity);
    expect(challenge).toMatchObject({ v: PROTOCOL_VERSION, gatewayPublicKey: t.gateway.publicKey });
    expect(Buffer.from(challenge.nonce, 'base64')).toHaveLength(32);
    expect(await link.next('welcome')).toEqual({
      type: 'welcome',
      nodeId,
      orgId: t.nodeOrgId,
      heartbeatMs: 5000,
      feeBasisPoints: 1000,
      features: [GATEWAY_FEATURE_RECEIPTS_REQUEST],
    });
    await link.announce([model('hs-model')]);
    const models = await t.client.models.list();
    expect(models.data.map((entry) => entry.id)).toContain('hs-model');
    link.close();
  });

  it('gives every connection a fresh nonce', async () => {
    const a = await LinkClient.open(t.gateway.linkUrl);
    const b = await LinkClient.open(t.gateway.linkUrl);
    const [ca, cb] = await Promise.all([a.next('challenge'), b.next('challenge')]);
    expect(ca.nonce).not.toBe(cb.nonce);
    a.close();
    b.close();
  });

  it('closes 4002 for a key that was never enrolled', async () => {
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.hello(NodeIdentity.create());
    expect(await link.closed).toEqual({
      code: CloseCode.UnknownKey,
      reason: 'unknown node key: enroll first',
    });
  });

  it('closes 4003 for a signature by another key', async () => {
    const { identity } = await t.enroll();
    const impostor = NodeIdentity.create();
    const link = await LinkClient.open(t.gateway.linkUrl);
    const challenge = await link.next('challenge');
    link.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      publicKey: identity.publicKey,
      signature: impostor.sign(Buffer.from(`byoi-link-v1:challenge:${challenge.nonce}`)),
      agent: 'impostor',
    });
    expect((await link.closed).code).toBe(CloseCode.BadSignature);
  });

  it('closes 4003 for a hello replayed from an earlier connection', async () => {
    const { identity } = await t.enroll();
    const first = await LinkClient.open(t.gateway.linkUrl);
    const { signature } = await first.hello(identity);
    await first.next('welcome');
    first.close();
    await first.closed;

    const replay = await LinkClient.open(t.gateway.linkUrl);
    await replay.hello(identity, { signature });
    expect((await replay.closed).code).toBe(CloseCode.BadSignature);
  });

  it('closes 4001 for another protocol version', async () => {
    const { identity } = await t.enroll();
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.hello(identity, { v: PROTOCOL_VERSION + 1 });
    expect((await link.closed).code).toBe(CloseCode.UnsupportedVersion);
  });

  it('closes 4007 for a revoked node', async () => {
    const { identity, nodeId } = await t.enroll();
    await t.gateway.store.revokeNode(nodeId);
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.hello(identity);
    expect((await link.closed).code).toBe(CloseCode.Revoked);
  });

  it('closes the live link of a revoked node with 4007 and drops its models from /v1/models at once', async () => {
    const online = await t.connectNode([model('revoked-model')]);
    const listed = async () => (await t.client.models.list()).data.map((entry) => entry.id);
    expect(await listed()).toContain('revoked-model');
    const response = await fetch(`${t.gateway.url}/admin/v1/nodes/${online.nodeId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${t.gateway.adminToken}` },
    });
    expect(response.status).toBe(200);
    expect((await online.link.closed).code).toBe(CloseCode.Revoked);
    expect(await listed()).not.toContain('revoked-model');
  });

  it('closes 4008 when the first frame is not a hello', async () => {
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.next('challenge');
    link.send({ type: 'job.accept', jobId: 'x' });
    expect((await link.closed).code).toBe(CloseCode.UnexpectedFrame);
  });

  it('closes the older link with 4006 when the node connects again, and serves on the new one', async () => {
    const older = await t.connectNode([model('twice')]);
    const newer = await t.connectNode([model('twice')], older.identity);
    expect((await older.link.closed).code).toBe(CloseCode.Replaced);
    const reply = t.client.chat.completions.create({ model: 'twice', messages: USER });
    await newer.link.serveNext(['ok']);
    expect((await reply).choices[0]?.message.content).toBe('ok');
  });
});

describe('handshake timeout', () => {
  it('closes 4004 when no hello comes in time', async () => {
    const timers = new ManualTimers();
    const quick = await startTestGateway({ handshakeTimeoutMs: 10_000, clock: timers.clock() });
    try {
      const link = await LinkClient.open(quick.gateway.linkUrl);
      await link.next('challenge'); // the connection is set up, its deadline armed
      await timers.advance(9_999);
      expect(link.ws.readyState).toBe(link.ws.OPEN);
      await timers.advance(1);
      expect((await link.closed).code).toBe(CloseCode.HandshakeTimeout);
    } finally {
      await quick.close();
    }
  });
});

describe('guessing handshakes', () => {
  it('refuses the upgrade with 429 after repeated unknown keys from one address', async () => {
    const quick = await startTestGateway();
    try {
      for (let guess = 0; guess < GUESS_LIMIT; guess++) {
        const link = await LinkClient.open(quick.gateway.linkUrl);
        await link.hello(NodeIdentity.create());
        expect((await link.closed).code).toBe(CloseCode.UnknownKey);
      }
      const refused = new WebSocket(quick.gateway.linkUrl);
      refused.on('error', () => undefined);
      const [, response] = (await once(refused, 'unexpected-response')) as [
        unknown,
        { statusCode: number; headers: Record<string, string> },
      ];
      expect(response.statusCode).toBe(429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await quick.close();
    }
  });
});
