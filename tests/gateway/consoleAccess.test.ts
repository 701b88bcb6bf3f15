/**
 * The console's sign-in and the admin API's scoping, against a real gateway over HTTP:
 * sessions are HttpOnly cookies with a CSRF token, changes must come from the console's own
 * origin, an org admin sees and changes only its own organization, an expired or revoked
 * session goes back to sign-in, and every change is audited under the signed-in identity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../gateway/server.js';

const ADMIN_TOKEN = 'console-test-admin-token-0123456789';
let gateway: RunningGateway;
let now = Date.parse('2030-01-15T10:00:00Z');

interface Session {
  cookie: string;
  csrf: string;
}

async function call(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    session?: Session;
    origin?: string | null;
    csrf?: string | null;
    bearer?: string;
  } = {},
) {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const origin = init.origin === undefined ? gateway.url : init.origin;
  if (origin !== null) headers.origin = origin;
  if (init.session) headers.cookie = init.session.cookie;
  const csrf = init.csrf === undefined ? init.session?.csrf : init.csrf;
  if (csrf) headers['x-csrf-token'] = csrf;
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  const response = await fetch(gateway.url + path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

async function signIn(secret: string): Promise<Session> {
  const response = await call('/console/api/session', { method: 'POST', body: { secret } });
  expect(response.status).toBe(200);
  const setCookie = response.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  return { cookie: setCookie.split(';')[0]!, csrf: response.body.csrfToken };
}

let operator: Session;
let orgA: { id: string };
let orgB: { id: string };
let keyB: { info: { id: string } };
let orgAdminSecret: string;
let orgAdmin: Session;

beforeAll(async () => {
  gateway = await startGateway({
    dataDir: null,
    port: 0,
    adminToken: ADMIN_TOKEN,
    wallClock: () => now,
  });
  operator = await signIn(ADMIN_TOKEN);
  orgA = (
    await call('/admin/v1/orgs', { method: 'POST', body: { name: 'Lab A' }, session: operator })
  ).body;
  orgB = (
    await call('/admin/v1/orgs', { method: 'POST', body: { name: 'Lab B' }, session: operator })
  ).body;
  keyB = (
    await call(`/admin/v1/orgs/${orgB.id}/keys`, {
      method: 'POST',
      body: { name: 'b' },
      session: operator,
    })
  ).body;
  const created = await call(`/admin/v1/orgs/${orgA.id}/admin-keys`, {
    method: 'POST',
    body: { name: 'alice' },
    session: operator,
  });
  expect(created.status).toBe(201);
  orgAdminSecret = created.body.key;
  orgAdmin = await signIn(orgAdminSecret);
});

afterAll(async () => {
  await gateway?.close();
});

describe('console sign-in', () => {
  it('names who signed in, and refuses a wrong secret or a foreign page', async () => {
    const session = await call('/console/api/session', { session: orgAdmin });
    expect(session.body.identity).toEqual({
      kind: 'org',
      orgId: orgA.id,
      orgName: 'Lab A',
      keyId: expect.any(String),
    });
    const wrong = await call('/console/api/session', {
      method: 'POST',
      body: { secret: 'not-the-token' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_secret');
    const foreign = await call('/console/api/session', {
      method: 'POST',
      body: { secret: ADMIN_TOKEN },
      origin: 'http://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('set-cookie')).toBeNull();
    const none = await call('/console/api/session');
    expect(none.body.error.code).toBe('no_session');
  });

  it('serves the console page under a strict CSP', async () => {
    const response = await fetch(`${gateway.url}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('./assets/console-');
    expect(
      (await fetch(`${gateway.url}/console`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/console/');
  });

  it('refuses a change without the CSRF token or from another origin, and changes nothing', async () => {
    const noCsrf = await call('/admin/v1/orgs', {
      method: 'POST',
      body: { name: 'X' },
      session: operator,
      csrf: null,
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    const wrongCsrf = await call('/admin/v1/orgs', {
      method: 'POST',
      body: { name: 'X' },
      session: operator,
      csrf: orgAdmin.csrf,
    });
    expect(wrongCsrf.body.error.code).toBe('csrf_failed');
    const foreign = await call('/admin/v1/orgs', {
      method: 'POST',
      body: { name: 'X' },
      session: operator,
      origin: 'http://evil.example',
    });
    expect(foreign.body.error.code).toBe('origin_not_allowed');
    const noOrigin = await call('/admin/v1/orgs', {
      method: 'POST',
      body: { name: 'X' },
      session: operator,
      origin: null,
    });
    expect(noOrigin.status).toBe(403);
    const orgs = await call('/admin/v1/orgs', { session: operator });
    expect(orgs.body.data.map((org: { name: string }) => org.name)).toEqual(['Lab A', 'Lab B']);
  });

  it('sends an expired session back to sign-in', async () => {
    const session = await signIn(ADMIN_TOKEN);
    now += 9 * 60 * 60 * 1000;
    try {
      const expired = await call('/admin/v1/orgs', { session });
      expect(expired.status).toBe(401);
      expect(expired.body.error.code).toBe('session_expired');
      expect((await call('/console/api/session', { session })).body.error.code).toBe(
        'session_expired',
      );
    } finally {
      now -= 9 * 60 * 60 * 1000;
    }
  });

  it('ends the sessions of a revoked org admin key', async () => {
    const extra = await call(`/admin/v1/orgs/${orgA.id}/admin-keys`, {
      method: 'POST',
      body: { name: 'bob' },
      session: operator,
    });
    const bob = await signIn(extra.body.key);
    expect((await call('/admin/v1/orgs', { session: bob })).status).toBe(200);
    expect(
      (
        await call(`/admin/v1/admin-keys/${extra.body.info.id}`, {
          method: 'DELETE',
          session: operator,
        })
      ).status,
    ).toBe(200);
    expect((await call('/admin/v1/orgs', { session: bob })).body.error.code).toBe(
      'session_expired',
    );
    expect((await call('/admin/v1/orgs', { bearer: extra.body.key })).status).toBe(401);
  });
});

describe('an org admin', () => {
  it('sees only its own organization', async () => {
    const orgs = await call('/admin/v1/orgs', { session: orgAdmin });
    expect(orgs.body.data.map((org: { id: string }) => org.id)).toEqual([orgA.id]);
    const keys = await call('/admin/v1/keys', { session: orgAdmin });
    expect(keys.body.data.every((key: { orgId: string }) => key.orgId === orgA.id)).toBe(true);
    for (const path of [
      `/admin/v1/keys?orgId=${orgB.id}`,
      `/admin/v1/orgs/${orgB.id}`,
      `/admin/v1/orgs/${orgB.id}/balance`,
      `/admin/v1/fleet?orgId=${orgB.id}`,
      `/admin/v1/usage?orgId=${orgB.id}`,
      `/admin/v1/usage/report?orgId=${orgB.id}&by=model`,
      `/admin/v1/usage/daily?orgId=${orgB.id}`,
      `/admin/v1/quotas?orgId=${orgB.id}`,
      `/admin/v1/limits?orgId=${orgB.id}`,
    ]) {
      const response = await call(path, { session: orgAdmin });
      expect([path, response.status]).toEqual([path, 404]);
    }
  });

  it('cannot change another organization, through a session or its key', async () => {
    const attempts: [string, string, unknown][] = [
      ['POST', `/admin/v1/orgs/${orgB.id}/keys`, { name: 'x' }],
      ['POST', `/admin/v1/orgs/${orgB.id}/enrollment-codes`, {}],
      ['DELETE', `/admin/v1/keys/${keyB.info.id}`, undefined],
      ['PUT', '/admin/v1/limits', { orgId: orgB.id, rpm: 1 }],
      ['PUT', '/admin/v1/quotas', { orgId: orgB.id, monthlyUsd: 1 }],
      ['PUT', '/admin/v1/cache', { orgId: orgB.id, enabled: true }],
      ['PUT', '/admin/v1/routing-rules', { orgId: orgB.id, model: 'm', strategy: 'cheapest' }],
      ['POST', '/admin/v1/playground/token', { orgId: orgB.id }],
      ['PUT', '/admin/v1/limits', { orgId: orgA.id, keyId: keyB.info.id, rpm: 1 }],
    ];
    for (const [method, path, body] of attempts) {
      const viaSession = await call(path, { method, body, session: orgAdmin });
      const viaKey = await call(path, { method, body, bearer: orgAdminSecret, origin: null });
      expect([method, path, viaSession.status, viaKey.status]).toEqual([method, path, 404, 404]);
    }
    const operatorOnly = await call('/admin/v1/orgs', {
      method: 'POST',
      body: { name: 'Mine' },
      session: orgAdmin,
    });
    expect(operatorOnly.body.error.code).toBe('operator_only');
    const provider = await call('/admin/v1/providers', {
      method: 'POST',
      session: orgAdmin,
      body: {
        name: 'up',
        baseUrl: 'http://127.0.0.1:1/v1',
        apiKeys: ['k'],
        models: ['m'],
        price: { prompt: 1, completion: 1 },
      },
    });
    expect(provider.status).toBe(403);
    expect(
      (await call(`/admin/v1/keys?orgId=${orgB.id}`, { session: operator })).body.data,
    ).toHaveLength(1);
    expect((await call('/admin/v1/limits', { session: operator })).body.data).toEqual([]);
  });

  it('runs its own organization, audited under its identity', async () => {
    const key = await call(`/admin/v1/orgs/${orgA.id}/keys`, {
      method: 'POST',
      body: { name: 'app' },
      session: orgAdmin,
    });
    expect(key.status).toBe(201);
    const code = await call(`/admin/v1/orgs/${orgA.id}/enrollment-codes`, {
      method: 'POST',
      body: {},
      session: orgAdmin,
    });
    expect(code.body.command).toBe(
      `byoi-node enroll --gateway ${gateway.url} --code ${code.body.code}`,
    );
    const limit = await call('/admin/v1/limits', {
      method: 'PUT',
      body: { orgId: orgA.id, rpm: 5 },
      session: orgAdmin,
    });
    expect(limit.body.rpm).toBe(5);
    const audit = await call('/admin/v1/audit', { session: orgAdmin });
    const actions = audit.body.data.map((entry: { action: string; actor: string }) => [
      entry.action,
      entry.actor,
    ]);
    const me = (await call('/console/api/session', { session: orgAdmin })).body.identity.keyId;
    expect(actions).toEqual(
      expect.arrayContaining([
        ['key.create', `console:${me}@${orgA.id}`],
        ['limits.set', `console:${me}@${orgA.id}`],
      ]),
    );
    expect(JSON.stringify(audit.body.data)).not.toContain(orgB.id);
    const daily = await call(`/admin/v1/usage/daily?orgId=${orgA.id}&days=7`, {
      session: orgAdmin,
    });
    expect(daily.body.data).toHaveLength(7);
    expect(daily.body.data.at(-1)).toEqual({
      // The store's days are UTC days of real time (the wall clock here moves rate windows only).
      day: new Date().toISOString().slice(0, 10),
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      costNanos: 0,
    });
  });

  it('gets a playground token that the client API takes as one of its keys', async () => {
    const token = await call('/admin/v1/playground/token', {
      method: 'POST',
      body: { orgId: orgA.id },
      session: orgAdmin,
    });
    expect(token.status).toBe(200);
    const models = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${token.body.token}` },
    });
    expect(models.status).toBe(200);
    const forged = `${token.body.token.slice(0, -2)}xx`;
    expect(
      (await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${forged}` } }))
        .status,
    ).toBe(401);
  });

  it('gets readable errors for bad input, and nothing stored changes', async () => {
    const before = (await call('/admin/v1/keys', { session: orgAdmin })).body.data.length;
    const bad: [string, string, unknown, string | null][] = [
      [
        'POST',
        `/admin/v1/orgs/${orgA.id}/keys`,
        { name: 'x', rateLimitPerMinute: -1 },
        'rateLimitPerMinute',
      ],
      ['POST', `/admin/v1/orgs/${orgA.id}/keys`, { name: 'x\u0001' }, 'name'],
      ['POST', `/admin/v1/orgs/${orgA.id}/keys`, { name: 'x', extra: 1 }, null],
      ['POST', `/admin/v1/orgs/${orgA.id}/enrollment-codes`, { ttlSeconds: 0 }, 'ttlSeconds'],
      ['PUT', '/admin/v1/limits', { orgId: orgA.id, rpm: 'many' }, 'rpm'],
      ['PUT', '/admin/v1/quotas', { orgId: orgA.id, monthlyUsd: -5 }, 'monthlyUsd'],
      ['PUT', '/admin/v1/cache', { orgId: orgA.id, enabled: 'yes' }, 'enabled'],
      [
        'PUT',
        '/admin/v1/routing-rules',
        { orgId: orgA.id, model: 'm', strategy: 'random' },
        'strategy',
      ],
      ['GET', `/admin/v1/usage/daily?orgId=${orgA.id}&days=0`, undefined, 'days'],
      ['GET', `/admin/v1/usage/report?orgId=${orgA.id}&by=colour`, undefined, 'by'],
      ['POST', '/admin/v1/playground/token', { orgId: orgA.id, apiKeyId: 'key_nope' }, 'apiKeyId'],
    ];
    for (const [method, path, body, param] of bad) {
      const response = await call(path, { method, body, session: orgAdmin });
      expect([path, response.status >= 400 && response.status < 500]).toEqual([path, true]);
      expect(typeof response.body.error.message).toBe('string');
      if (param) expect([path, response.body.error.param]).toEqual([path, param]);
    }
    const signInBad = await call('/console/api/session', { method: 'POST', body: { secret: '' } });
    expect(signInBad.status).toBe(400);
    expect((await call('/admin/v1/keys', { session: orgAdmin })).body.data.length).toBe(before);
  });
});
