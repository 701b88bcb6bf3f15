/**
 * The console's organizations, limits and audit screens in real Chromium against a real
 * gateway whose one route is an OpenAI-compatible provider (a local HTTP server on port 0),
 * called with the `openai` client. The operator creates an organization and an org admin key
 * (its secret shown once; that admin signs in elsewhere and has no Organizations screen),
 * sets a rate limit, a quota and a cache policy (each checked in the store), sees the quota
 * warn at 80 % and say "reached" at 100 % from real traffic, and the cache's hit rate; the
 * audit log lists those changes under `console:operator`, filters them, and exports the same
 * rows as CSV. Bad inputs show a readable message and change nothing. Screenshots of the
 * three screens, light and dark, English and French.
 */
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../common/adminRecords.js';
import { monthOf } from '../../../gateway/policy/policy.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { FakeUpstream } from '../../support/fakeUpstream.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { AuditPanel } from './pages/AuditPanel.js';
import { ConsolePage } from './pages/ConsolePage.js';
import { LimitsPanel } from './pages/LimitsPanel.js';
import { OrgsPanel } from './pages/OrgsPanel.js';

const ADMIN_TOKEN = 'limits-e2e-admin-token-0123456789';
let gateway: RunningGateway;
let browser: Browser;
let upstream: FakeUpstream;

async function adminApi<T>(path: string): Promise<T> {
  const response = await fetch(`${gateway.url}/admin/v1${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

beforeAll(async () => {
  upstream = await FakeUpstream.start();
  gateway = await startGateway({ dataDir: null, port: 0, adminToken: ADMIN_TOKEN });
  browser = await launchChromium();
  const response = await fetch(`${gateway.url}/admin/v1/providers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'fake',
      baseUrl: upstream.baseUrl,
      apiKeys: ['sk-fake-0123456789'],
      models: { m: 'fake-model' },
      price: { prompt: 1, completion: 2 },
    }),
  });
  expect(response.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await upstream?.close();
});

async function openConsole(): Promise<{ context: BrowserContext; console: ConsolePage }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${gateway.url}/console/`);
  return { context, console: new ConsolePage(page) };
}

describe('the organizations, limits and audit screens', () => {
  it('lets the operator run orgs, limits, quotas, the cache and read the audit log', async () => {
    const { context, console } = await openConsole();
    await console.signIn(ADMIN_TOKEN);
    await console.createOrg('Lab Z');
    const orgId = (await gateway.store.listOrgs()).find((org) => org.name === 'Lab Z')!.id;

    // Organizations: create one more, an admin key shown once, its admin has no such screen.
    const orgs = new OrgsPanel(console);
    expect(await orgs.visible()).toBe(true);
    await orgs.open();
    const orgCount = (await gateway.store.listOrgs()).length;
    expect(await orgs.submitOrg('   ')).toMatch(/Give the organization a name/);
    expect(await gateway.store.listOrgs()).toHaveLength(orgCount);
    const labY = await orgs.createOrg('Lab Y');
    expect(await gateway.store.getOrg(labY)).toMatchObject({ name: 'Lab Y' });
    expect(await orgs.orgNames()).toEqual(expect.arrayContaining(['Lab Z', 'Lab Y']));
    const secret = await orgs.createAdminKey('Lab Z', 'alice');
    expect(secret).toMatch(/^byoi-/);
    const [adminKey] = await gateway.store.listOrgAdminKeys(orgId);
    expect(adminKey).toMatchObject({ name: 'alice', revokedAt: null, lastUsedAt: null });
    const second = await openConsole();
    await second.console.signIn(secret);
    await expect
      .poll(() => second.console.byTestId('console-org-name').innerText())
      .toContain('Lab Z');
    expect(await new OrgsPanel(second.console).visible()).toBe(false);
    await second.context.close();
    await orgs.open();
    await orgs.manage('Lab Z');
    // The console sign-in does not stamp the key's last use (see the report): only shown.
    expect(await orgs.lastUsed(adminKey!.id)).toBeTruthy();
    await orgs.revokeAdminKey(adminKey!.id);
    const revoked = (await gateway.store.listOrgAdminKeys(orgId)).find(
      (k) => k.id === adminKey!.id,
    );
    expect(revoked?.revokedAt).not.toBeNull();
    expect(revoked).toBeDefined();

    // Limits: an org rate limit and a key's, a quota, the cache; bad inputs change nothing.
    const appKey = await console.createKey('app');
    const [app] = await gateway.store.listApiKeys(orgId);
    const limits = new LimitsPanel(console);
    await limits.open();
    await limits.setRateLimit(120);
    await limits.setRateLimit(60, { keyId: app!.id }, 5000);
    await limits.setQuota({ tokens: 1_000_000 });
    await limits.setCachePolicy({ enabled: true, ttlSeconds: 600, charge: 'none' });
    const stored = async () => {
      const settings = await gateway.store.policySettings();
      return {
        limits: settings.limits.filter((l) => l.orgId === orgId),
        caches: settings.caches.filter((c) => c.orgId === orgId),
        quotas: await gateway.store.quotaStatus(orgId, monthOf(Date.now())),
      };
    };
    await expect.poll(async () => (await stored()).caches).toHaveLength(1);
    const before = await stored();
    expect(before.limits).toHaveLength(2);
    expect(before.limits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keyId: null, rpm: 120, tpm: null }),
        expect.objectContaining({ keyId: app!.id, rpm: 60, tpm: 5000 }),
      ]),
    );
    expect(before.quotas).toEqual([
      expect.objectContaining({ keyId: null, monthlyTokens: 1_000_000, monthlyNanos: null }),
    ]);
    expect(before.caches).toEqual([
      expect.objectContaining({ enabled: true, ttlSeconds: 600, charge: 'none' }),
    ]);
    expect(await limits.submitRateLimit(-5)).toMatch(/whole number from 1/);
    expect(await limits.submitRateLimit(2.5)).toMatch(/whole number from 1/);
    expect(await limits.submitQuota(0)).toMatch(/more than \$0/);
    expect(await limits.submitQuota(null, -3)).toMatch(/whole number of at least 1/);
    expect(await limits.submitCache({ enabled: true, ttlSeconds: 30 * 86_400 + 1 })).toMatch(
      /from 1 to 2,592,000 seconds/,
    );
    expect(await limits.submitCache({ enabled: true, ttlSeconds: 0 })).toMatch(/from 1 to/);
    expect(await stored()).toEqual(before);

    // Real traffic: a question, the same again (a cache hit), another one.
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: appKey, maxRetries: 0 });
    for (const content of ['Say hi', 'Say hi', 'Say bye']) {
      const answer = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content }],
        temperature: 0,
      });
      expect(answer.choices[0]?.message.content).toBe('ok');
    }
    expect(upstream.calls.filter((call) => call.method === 'POST')).toHaveLength(2);
    await limits.open();
    await expect.poll(() => limits.cacheHitRate()).toBe('33%');
    const spentTokens = (await stored()).quotas[0]!.spentTokens;
    expect(spentTokens).toBeGreaterThan(5);
    const quota = Math.floor(spentTokens / 0.85);
    await limits.setQuota({ tokens: quota });
    const warned = await limits.quotaMeter('tokens');
    expect(warned.level).toBe('warning');
    expect(warned.percent).toBe(`${Math.round((spentTokens / quota) * 100)}%`);
    await console.byTestId('limits-quota-tokens-org-warning').waitFor();
    await limits.setQuota({ tokens: spentTokens });
    expect((await limits.quotaMeter('tokens')).level).toBe('reached');
    await console.byTestId('limits-quota-tokens-org-reached').waitFor();
    await expect(
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'More' }] }),
    ).rejects.toMatchObject({ status: 429 });

    // Audit: the changes under the operator's name, filtered, exported as the same rows.
    const audit = new AuditPanel(console);
    await audit.open();
    const actions = await audit.auditActions();
    for (const action of ['org.create', 'key.create', 'limits.set', 'quota.set', 'cache.set'])
      expect(actions).toContain(action);
    expect(await audit.filter({ since: 'yesterday' })).toMatch(/From date is not a date/);
    expect(await audit.filter({ until: '2026-02-30' })).toMatch(/To date is not a date/);
    expect(await audit.filter({ since: '2030-01-02', until: '2030-01-01' })).toMatch(/before/);
    expect(await audit.filter({ limit: 0 })).toMatch(/whole number from 1/);
    await audit.exportWith({ since: 'soon' });
    expect(await audit.exportError()).toMatch(/not a date/);
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const filter = { actor: 'console:operator', action: 'quota.', since: day, until: day };
    expect(await audit.filter(filter)).toBe('applied');
    const shown = await audit.entries();
    const expected = (await adminApi<{ data: AuditEntry[] }>('/audit?action=quota.')).data;
    expect(shown).toHaveLength(expected.length);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const entry of shown) {
      expect(entry).toEqual({
        actor: 'console:operator',
        action: 'quota.set',
        target: `org:${orgId}`,
      });
    }
    const csv = await audit.exportAuditCsv();
    expect(csv.fileName).toMatch(/^byoi-audit-.*\.csv$/);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('seq,at,actor,action,target,before,after');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(
      expected.map((entry) => String(entry.seq)),
    );
    for (const line of lines.slice(1)) expect(line).toContain(',console:operator,quota.set,');

    // Screenshots of the three screens.
    const dir = screenshotDir();
    for (const theme of ['light', 'dark'] as const) {
      for (const language of ['en', 'fr'] as const) {
        await console.setLook(theme, language);
        await orgs.open();
        await orgs.manage('Lab Z');
        await console.page.screenshot({
          path: join(dir, `console-orgs-${theme}-${language}.png`),
          fullPage: true,
        });
        await limits.open();
        await console.byTestId('limits-quota-tokens-org').waitFor();
        await console.page.screenshot({
          path: join(dir, `console-limits-${theme}-${language}.png`),
          fullPage: true,
        });
        await audit.open();
        await console.page.screenshot({
          path: join(dir, `console-audit-${theme}-${language}.png`),
          fullPage: true,
        });
      }
    }
    await context.close();
  });
});
