import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUESS_LIMIT } from '../../gateway/api/guessThrottle.js';
import { toApiError } from '../../common/openaiErrors.js';
import { registerAdminRoutes } from '../../gateway/admin/adminRoutes.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { balances, nodePublicKey, stored, stubLive, usage } from './helpers.js';

const TOKEN = 'byoi-admin-test-token-0123456789';
let store: GatewayStore;
let app: FastifyInstance;

beforeAll(async () => {
  store = await openStore(null);
  app = Fastify();
  // What the composition root does: every error in OpenAI's shape.
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    void reply.status(apiError.status).send(apiError.toBody());
  });
  app.get('/public', async () => ({ ok: true }));
  registerAdminRoutes(app, store, TOKEN, stubLive());
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

type Method = 'GET' | 'POST' | 'DELETE';
/** A JSON answer, loosely typed: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(method: Method, url: string, body?: unknown, token: string | null = TOKEN) {
  const response = await app.inject({
    method,
    url: `/admin/v1${url}`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as Json };
}

describe('admin token', () => {
  it('refuses calls without the right bearer token, and leaves other routes alone', async () => {
    const missing = await call('GET', '/orgs', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      error: {
        message: "Missing admin token: send 'Authorization: Bearer <admin token>'",
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_admin_token',
      },
    });
    for (const token of [TOKEN + 'x', TOKEN.slice(0, -1), 'short', `${TOKEN} extra`]) {
      const wrong = await call('POST', '/orgs', { name: 'Nope' }, token);
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toMatch(/admin token/);
    }
    expect((await call('GET', '/orgs')).body.data).toEqual([]); // nothing was created
    expect((await app.inject({ method: 'GET', url: '/public' })).json()).toEqual({ ok: true });
    const lower = await app.inject({
      method: 'GET',
      url: '/admin/v1/orgs',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(lower.statusCode).toBe(200);
  });

  it('holds off an address that guesses tokens with 429, and no other address', async () => {
    const from = (remoteAddress: string, token: string) =>
      app.inject({
        method: 'GET',
        url: '/admin/v1/orgs',
        remoteAddress,
        headers: { authorization: `Bearer ${token}` },
      });
    for (let guess = 0; guess < GUESS_LIMIT; guess++) {
      expect((await from('10.9.9.9', `wrong-${guess}`)).statusCode).toBe(401);
    }
    const held = await from('10.9.9.9', TOKEN); // even the right token, for now
    expect(held.statusCode).toBe(429);
    expect(held.json().error).toMatchObject({
      code: 'rate_limit_exceeded',
      message: expect.stringMatching(/Too many failed admin tokens/),
    });
    expect((await from('10.9.9.10', TOKEN)).statusCode).toBe(200);
  });

  it('refuses a short admin token at registration', () => {
    expect(() => registerAdminRoutes(Fastify(), store, 'tooshort', stubLive())).toThrow(
      /at least 16 characters/,
    );
    expect(() =>
      registerAdminRoutes(Fastify(), store, 'has spaces in this token', stubLive()),
    ).toThrow(RangeError);
  });
});

describe('organizations, keys and enrollment codes', () => {
  it('creates, lists and gets organizations', async () => {
    const created = await call('POST', '/orgs', { name: ' Acme ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^org_/), name: 'Acme' });
    expect((await call('GET', '/orgs')).body.data).toContainEqual(created.body);
    expect(await call('GET', `/orgs/${created.body.id}`)).toEqual({
      status: 200,
      body: created.body,
    });
    expect((await call('GET', '/orgs/org_nope')).status).toBe(404);
  });

  it.each([
    ['/orgs', undefined, 'name', 'missing_required_parameter'],
    ['/orgs', { name: '' }, 'name', 'invalid_value'],
    ['/orgs', { name: 42 }, 'name', 'invalid_value'],
    ['/orgs', { name: 'x'.repeat(129) }, 'name', 'invalid_value'],
    ['/orgs', { name: 'ok', extra: 1 }, null, 'invalid_value'],
  ])('answers POST %s %j with 400 naming %s', async (url, body, param, code) => {
    const response = await call('POST', url, body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param, code });
  });

  it('creates a key whose secret authenticates, lists and revokes it', async () => {
    const org = (await call('POST', '/orgs', { name: 'Keys' })).body;
    const created = await call('POST', `/orgs/${org.id}/keys`, {
      name: 'ci',
      rateLimitPerMinute: 60,
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^byoi-sk-/);
    expect(created.body.info).toMatchObject({
      orgId: org.id,
      name: 'ci',
      rateLimitPerMinute: 60,
      revokedAt: null,
    });
    expect(await store.authenticateApiKey(created.body.key)).toEqual(created.body.info);

    const bare = await call('POST', `/orgs/${org.id}/keys`); // no body at all: defaults
    expect(bare.body.info).toMatchObject({ name: '', rateLimitPerMinute: null });

    const listed = await call('GET', `/keys?orgId=${org.id}`);
    expect(listed.body.data.map((k: { id: string }) => k.id)).toEqual([
      created.body.info.id,
      bare.body.info.id,
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    expect(await call('DELETE', `/keys/${created.body.info.id}`)).toEqual({
      status: 200,
      body: { id: created.body.info.id, revoked: true },
    });
    expect(await store.authenticateApiKey(created.body.key)).toBeNull();
    expect((await call('DELETE', '/keys/key_nope')).body.error).toMatchObject({
      code: 'not_found',
      param: 'id',
    });
  });

  it('validates key bodies and 404s unknown organizations', async () => {
    const org = (await call('POST', '/orgs', { name: 'Strict' })).body;
    for (const [body, param] of [
      [{ rateLimitPerMinute: 0 }, 'rateLimitPerMinute'],
      [{ rateLimitPerMinute: 2.5 }, 'rateLimitPerMinute'],
      [{ rateLimitPerMinute: '60' }, 'rateLimitPerMinute'],
      [{ name: ['x'] }, 'name'],
    ] as const) {
      const response = await call('POST', `/orgs/${org.id}/keys`, body);
      expect([response.status, response.body.error.param]).toEqual([400, param]);
    }
    const unknown = await call('POST', '/orgs/org_nope/keys', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      message: "No organization with id 'org_nope'",
      param: 'id',
    });
    expect((await call('GET', '/keys?orgId=org_nope')).body.error).toMatchObject({
      param: 'orgId',
    });
  });

  it('creates enrollment codes that enroll a node, and lists and revokes nodes', async () => {
    const org = (await call('POST', '/orgs', { name: 'Farm' })).body;
    const made = await call('POST', `/orgs/${org.id}/enrollment-codes`, { ttlSeconds: 120 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      code: expect.stringMatching(/^byoi-enroll-/),
      orgId: org.id,
    });
    const node = await store.enrollNode(made.body.code, nodePublicKey(), 'rig');
    expect((await call('GET', `/nodes?orgId=${org.id}`)).body.data).toEqual([node]);
    expect((await call('DELETE', `/nodes/${node.id}`)).body).toEqual({
      id: node.id,
      revoked: true,
    });
    expect((await call('GET', `/nodes?orgId=${org.id}`)).body.data[0].revokedAt).not.toBeNull();
    expect((await call('DELETE', '/nodes/node_nope')).status).toBe(404);

    const bad = await call('POST', `/orgs/${org.id}/enrollment-codes`, { ttlSeconds: -1 });
    expect([bad.status, bad.body.error.param]).toEqual([400, 'ttlSeconds']);
    expect((await call('POST', '/orgs/org_nope/enrollment-codes', {})).status).toBe(404);
  });
});

describe('usage and balances', () => {
  it('lists usage with filters and answers balances', async () => {
    const client = (await call('POST', '/orgs', { name: 'Client' })).body;
    const owner = (await call('POST', '/orgs', { name: 'Owner' })).body;
    const key = (await call('POST', `/orgs/${client.id}/keys`, {})).body.info;
    const { code } = (await call('POST', `/orgs/${owner.id}/enrollment-codes`, {})).body;
    const node = await store.enrollNode(code, nodePublicKey(), 'n');
    const ids = { orgId: client.id, apiKeyId: key.id, nodeId: node.id };
    await store.recordUsage(
      usage('http-1', ids, { charged: 1_000, fee: 100 }, '2033-01-01T00:00:00.000Z'),
    );
    await store.recordUsage(
      usage('http-2', ids, { charged: 2_000, fee: 200 }, '2033-01-02T00:00:00.000Z'),
    );

    const all = await call('GET', `/usage?orgId=${client.id}`);
    expect(all.body.data.map((r: { jobId: string }) => r.jobId)).toEqual(['http-2', 'http-1']);
    expect(all.body.data[1]).toEqual(
      stored(usage('http-1', ids, { charged: 1_000, fee: 100 }, '2033-01-01T00:00:00.000Z')),
    );
    const one = await call('GET', `/usage?nodeId=${node.id}&limit=1`);
    expect(one.body.data.map((r: { jobId: string }) => r.jobId)).toEqual(['http-2']);
    for (const query of ['limit=0', 'limit=ten', 'limit=10001']) {
      const bad = await call('GET', `/usage?${query}`);
      expect([bad.status, bad.body.error.param]).toEqual([400, 'limit']);
    }

    expect((await call('GET', `/orgs/${client.id}/balance`)).body).toEqual({
      orgId: client.id,
      ...balances(3_000, 0),
    });
    expect((await call('GET', `/orgs/${owner.id}/balance`)).body).toEqual({
      orgId: owner.id,
      ...balances(0, 2_700),
    });
    expect((await call('GET', '/orgs/org_nope/balance')).status).toBe(404);
  });
});
