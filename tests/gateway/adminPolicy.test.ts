/**
 * Policy administration: the admin commands over a real admin API (listening on port 0),
 * rate limits, quotas, cache policies and the audit log; and malformed calls, each refused
 * with a clear error while nothing stored changes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../../common/openaiErrors.js';
import { runAdminCommand } from '../../gateway/admin/adminCli.js';
import { registerAdminRoutes } from '../../gateway/admin/adminRoutes.js';
import { adminHttpStore } from '../../gateway/adminHttpStore.js';
import { PolicyError } from '../../gateway/policy/policyErrors.js';
import { openStore } from '../../gateway/store/pgliteStore.js';
import type { GatewayStore } from '../../gateway/store/types.js';
import { stubLive } from './helpers.js';

const TOKEN = 'byoi-admin-policy-token-0123456789';
let store: GatewayStore;
let app: FastifyInstance;
let url: string;
let orgId: string;
let otherOrgId: string;
let keyId: string;
const live = stubLive();

beforeAll(async () => {
  store = await openStore(null);
  app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    if (apiError instanceof PolicyError) void reply.headers(apiError.headers);
    void reply.status(apiError.status).send(apiError.toBody());
  });
  registerAdminRoutes(app, store, TOKEN, live);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  orgId = (await store.createOrg('Acme')).id;
  otherOrgId = (await store.createOrg('Other')).id;
  keyId = (await store.createApiKey(orgId, 'app')).info.id;
});
afterAll(async () => {
  await app.close();
  await store.close();
});

async function admin(line: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCommand(
    line.split(' ').filter(Boolean),
    adminHttpStore(url, TOKEN),
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function call(method: 'GET' | 'PUT', path: string, body?: unknown) {
  const response = await app.inject({
    method,
    url: `/admin/v1${path}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as { error?: { message: string } } };
}

describe('policy commands', () => {
  it('sets limits by the flags given, keeps the others, clears with none, and lists them', async () => {
    const before = live.changes;
    expect(await admin(`limits set --org ${orgId} --key ${keyId} --rpm 5`)).toMatchObject({
      code: 0,
      out: `Set the limits of key:${keyId}: rpm 5, tpm -.`,
    });
    expect((await admin(`limits set --org ${orgId} --key ${keyId} --tpm 1000`)).out).toBe(
      `Set the limits of key:${keyId}: rpm 5, tpm 1000.`,
    );
    expect((await admin(`limits set --org ${orgId} --rpm 100`)).code).toBe(0);
    expect(live.changes).toBe(before + 3);
    const listed = await admin(`limits list --org ${orgId}`);
    expect(listed.out).toMatch(new RegExp(`key:${keyId}\\s+5\\s+1000`));
    expect(listed.out).toMatch(new RegExp(`org:${orgId}\\s+100\\s+-`));
    // The key's own rate limit is its rpm.
    expect((await store.listApiKeys(orgId)).find((k) => k.id === keyId)?.rateLimitPerMinute).toBe(
      5,
    );
    expect((await admin(`limits set --org ${orgId} --rpm none`)).out).toBe(
      `Cleared the limits of org:${orgId}.`,
    );
    expect((await admin(`limits list --org ${otherOrgId}`)).out).toBe('No rate limits.');
  });

  it('sets a quota and shows used, reserved and left for this month', async () => {
    expect((await admin(`quota set --org ${orgId} --monthly-usd 2.5`)).out).toBe(
      `Set the monthly quota of org:${orgId}: $2.500000000, - tokens.`,
    );
    expect((await admin(`quota set --org ${orgId} --monthly-tokens 1000000`)).code).toBe(0);
    const shown = await admin(`quota show --org ${orgId}`);
    expect(shown.out).toMatch(/\$2\.500000000\s+\$0\.000000000\s+\$0\.000000000\s+\$2\.500000000/);
    expect(shown.out).toMatch(/1000000\s+0\s+0\s+1000000/);
  });

  it('switches the cache on with a TTL and charge, and off again keeping them', async () => {
    expect(
      (await admin(`cache set --org ${orgId} --enabled true --ttl 600 --charge none`)).out,
    ).toBe(`The cache of ${orgId} is on: ttl 600 s, a hit is charged nothing.`);
    expect((await admin(`cache set --org ${orgId} --enabled false`)).out).toBe(
      `The cache of ${orgId} is off.`,
    );
    const { caches } = await store.policySettings();
    expect(caches).toEqual([
      expect.objectContaining({ orgId, enabled: false, ttlSeconds: 600, charge: 'none' }),
    ]);
  });

  it('lists every change in the audit log, as text, JSON and CSV', async () => {
    const json = await admin('audit --format json');
    const { data } = JSON.parse(json.out) as {
      data: { actor: string; action: string; target: string; before: unknown; after: unknown }[];
    };
    expect(data.map((e) => e.action)).toEqual([
      'limits.set',
      'limits.set',
      'limits.set',
      'limits.set',
      'quota.set',
      'quota.set',
      'cache.set',
      'cache.set',
    ]);
    expect(data[1]).toMatchObject({
      target: `key:${keyId}`,
      before: expect.objectContaining({ rpm: 5, tpm: null }),
      after: expect.objectContaining({ rpm: 5, tpm: 1000 }),
    });
    expect(data[3]).toMatchObject({ target: `org:${orgId}`, after: null });
    expect(new Set(data.map((e) => e.actor)).size).toBe(1);
    expect(data[0]!.actor).toMatch(/^admin-token:[0-9a-f]{8}$/);
    const text = await admin('audit');
    expect(text.out.split('\n')[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+BEFORE\s+AFTER$/);
    const csv = await admin('audit --format csv');
    expect(csv.out.split('\n')).toHaveLength(data.length + 1);
    expect((await admin('audit --since 2999-01-01')).out).toBe('The audit log is empty.');
  });

  it('filters the audit log by action, actor and time, in JSON and CSV', async () => {
    const all = await store.listAudit({});
    const quotas = await call('GET', '/audit?action=quota.');
    expect(quotas.status).toBe(200);
    const quotaData = (quotas.body as { data: { action: string }[] }).data;
    expect(quotaData.map((e) => e.action)).toEqual(['quota.set', 'quota.set']);
    const actor = all[0]!.actor.slice(0, 14).toUpperCase();
    const byActor = await call('GET', `/audit?actor=${encodeURIComponent(actor)}&limit=3`);
    expect((byActor.body as { data: unknown[] }).data).toHaveLength(3);
    const nobody = await call('GET', '/audit?actor=console%3Aoperator');
    expect((nobody.body as { data: unknown[] }).data).toEqual([]);
    const last = all.at(-1)!;
    const before = await call('GET', `/audit?until=${encodeURIComponent(last.at)}`);
    expect((before.body as { data: { seq: number }[] }).data.map((e) => e.seq)).toEqual(
      all.filter((e) => e.at < last.at).map((e) => e.seq),
    );
    const csv = await app.inject({
      method: 'GET',
      url: '/admin/v1/audit?format=csv&action=cache.set',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(csv.body.trim().split('\n')).toHaveLength(3);
    expect(await store.listAudit({ action: '%' })).toEqual([]);
  });

  it('refuses an audit entry being changed or removed, even by SQL', async () => {
    const [first] = await store.listAudit({ limit: 1 });
    expect(first).toBeDefined();
    // The log is append-only in the schema itself.
    const sql = (store as unknown as { db: { query(sql: string): Promise<unknown> } }).db;
    await expect(sql.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(sql.query("UPDATE audit_log SET actor = 'x'")).rejects.toThrow(/append-only/);
  });
});

describe('malformed policy calls', () => {
  it('answers each with a clear error, and changes nothing stored', async () => {
    const settings = await store.policySettings();
    const audit = await store.listAudit({});
    const http: [string, string, unknown, number, RegExp][] = [
      ['PUT', '/limits', { orgId, rpm: -1 }, 400, /rpm/],
      ['PUT', '/limits', { orgId, rpm: 1.5 }, 400, /rpm/],
      ['PUT', '/limits', { orgId, tpm: 0 }, 400, /tpm/],
      ['PUT', '/limits', { orgId, rpm: '5' }, 400, /rpm/],
      ['PUT', '/limits', { orgId: 'org_nope', rpm: 5 }, 404, /organization/],
      ['PUT', '/limits', { orgId, keyId: 'key_nope', rpm: 5 }, 400, /No API key 'key_nope'/],
      ['PUT', '/limits', { orgId: otherOrgId, keyId, rpm: 5 }, 400, /No API key/],
      ['PUT', '/limits', { orgId, rpm: 5, burst: 9 }, 400, /burst/],
      ['PUT', '/quotas', { orgId, monthlyUsd: -2 }, 400, /monthlyUsd/],
      ['PUT', '/quotas', { orgId, monthlyTokens: 1e30 }, 400, /monthlyTokens/],
      ['PUT', '/quotas', { orgId: 'org_nope', monthlyUsd: 1 }, 404, /organization/],
      ['PUT', '/cache', { orgId, enabled: 'yes' }, 400, /enabled/],
      ['PUT', '/cache', { orgId, enabled: true, ttlSeconds: 0 }, 400, /ttlSeconds/],
      ['PUT', '/cache', { orgId, enabled: true, charge: 'half' }, 400, /charge/],
      ['PUT', '/cache', { orgId: 'org_nope', enabled: true }, 404, /organization/],
      ['GET', '/quotas', undefined, 400, /orgId/],
      ['GET', `/quotas?orgId=${orgId}&month=2026-13`, undefined, 400, /month/],
      ['GET', '/audit?since=yesterday', undefined, 400, /since/],
      ['GET', '/audit?until=tomorrow', undefined, 400, /until/],
      ['GET', '/audit?action=', undefined, 400, /action/],
    ];
    for (const [method, path, body, status, message] of http) {
      const answer = await call(method as 'GET' | 'PUT', path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(answer.body.error?.message).toMatch(message);
    }
    const cli: [string, number, RegExp][] = [
      [`limits set --org ${orgId} --rpm=-5`, 2, /--rpm must be a whole number/],
      [`limits set --org ${orgId}`, 2, /Give --rpm/],
      [`limits set --org org_nope --rpm 5`, 1, /org_nope/],
      [`limits set --org ${orgId} --key key_nope --rpm 5`, 2, /No API key 'key_nope'/],
      [`quota set --org ${orgId} --monthly-usd lots`, 2, /--monthly-usd must be a USD amount/],
      [
        `quota set --org ${orgId} --monthly-tokens=-1`,
        2,
        /--monthly-tokens must be a whole number/,
      ],
      [`cache set --org ${orgId} --enabled maybe`, 2, /--enabled must be true or false/],
      [`cache set --org ${orgId} --enabled true --ttl 0`, 2, /--ttl must be a whole number/],
      [`cache set --org ${orgId} --enabled true --charge half`, 2, /--charge must be full or none/],
      ['audit --since soon', 2, /--since must be an ISO date/],
      ['audit --format xml', 2, /--format must be json or csv/],
    ];
    for (const [line, code, message] of cli) {
      const result = await admin(line);
      expect(result.code, line).toBe(code);
      expect(result.err, line).toMatch(message);
    }
    expect(await store.policySettings()).toEqual(settings);
    expect(await store.listAudit({})).toEqual(audit);
  });
});
