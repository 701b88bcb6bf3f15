/**
 * The console's providers and routing-rules screens in real Chromium against a real gateway,
 * with a stand-in OpenAI-compatible provider on port 0: the operator adds providers (keys
 * shown masked, never raw), edits, disables and removes them; sets a routing rule whose
 * plain-language preview follows the edits; bad inputs each say what is wrong and change
 * nothing stored; an org admin sees the providers read-only. Screenshots of both screens,
 * light and dark, English and French.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingRule } from '../../../common/adminRecords.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { FakeUpstream } from '../../support/fakeUpstream.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { ConsolePage } from './pages/ConsolePage.js';
import { ProvidersPanel } from './pages/ProvidersPanel.js';
import { RoutingPanel } from './pages/RoutingPanel.js';

const ADMIN_TOKEN = 'console-providers-admin-token-0123456789';
const KEY_A = 'sk-secret-aaaa-00001111';
const KEY_B = 'sk-secret-bbbb-00002222';
let gateway: RunningGateway;
let upstream: FakeUpstream;
let browser: Browser;
let orgId = '';

beforeAll(async () => {
  upstream = await FakeUpstream.start();
  gateway = await startGateway({ dataDir: null, port: 0, adminToken: ADMIN_TOKEN });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await upstream?.close();
});

async function openConsole(): Promise<{ context: BrowserContext; console: ConsolePage }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${gateway.url}/console/`);
  return { context, console: new ConsolePage(page) };
}

async function adminGet<T>(path: string): Promise<T> {
  const response = await fetch(`${gateway.url}/admin/v1${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const storedProviders = async () =>
  (await gateway.store.listProviders()).map((p) => ({ ...p, createdAt: '' }));

async function screenshots(console: ConsolePage, open: () => Promise<void>, screen: string) {
  const dir = screenshotDir();
  for (const theme of ['light', 'dark'] as const) {
    for (const language of ['en', 'fr'] as const) {
      await console.setLook(theme, language);
      await open();
      await console.page.screenshot({
        path: join(dir, `console-${screen}-${theme}-${language}.png`),
        fullPage: true,
      });
    }
  }
  await console.setLook('light', 'en');
}

describe('the console providers and routing screens', () => {
  let operator: { context: BrowserContext; console: ConsolePage };

  it('adds, edits, disables and removes providers, keys masked', async () => {
    operator = await openConsole();
    const { console } = operator;
    await console.signIn(ADMIN_TOKEN);
    await console.createOrg('Routing Lab');
    orgId = (await gateway.store.listOrgs()).find((org) => org.name === 'Routing Lab')!.id;
    const panel = new ProvidersPanel(console);
    await panel.open();
    await console.byTestId('providers-empty').waitFor();

    const good = { name: 'openai-a', baseUrl: upstream.baseUrl, key: KEY_A, models: ['llama-3'] };
    const refused: [Parameters<ProvidersPanel['addProvider']>[0], RegExp][] = [
      [{ ...good, name: '' }, /Give the provider a name/],
      [{ ...good, baseUrl: 'ftp://example.com/v1' }, /http:\/\/ or https:\/\//],
      [{ ...good, price: { prompt: -1, completion: 2 } }, /0 or more/],
      [{ ...good, key: '' }, /at least one API key/],
      [{ ...good, models: ['a = b = c'] }, /Model line 1/],
      [{ ...good, name: 'nodes' }, /reserved for node routes/], // the gateway's own words
    ];
    for (const [input, message] of refused) {
      const result = await panel.addProvider(input);
      expect(result.ok ? 'saved' : result.message).toMatch(message);
      expect(await gateway.store.listProviders()).toEqual([]);
    }

    expect(await panel.addProvider({ ...good, price: { prompt: 0.4, completion: 0.6 } })).toEqual({
      ok: true,
    });
    expect(await console.byTestId('providers-form-keys').inputValue()).toBe('');
    const keys = await panel.keys('openai-a');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.masked).toContain('…');
    expect(keys[0]!.masked).not.toContain(KEY_A);
    expect(keys[0]!.state).toBe('Healthy');
    await expect.poll(() => panel.state('openai-a')).toBe('Healthy');
    expect(await console.page.content()).not.toContain(KEY_A);

    // A second provider of the same name is refused in the gateway's words.
    const before = await storedProviders();
    const duplicate = await panel.addProvider({ ...good, baseUrl: 'http://127.0.0.1:9/v1' });
    expect(duplicate.ok ? 'saved' : duplicate.message).toMatch(/already exists/);
    expect(await storedProviders()).toEqual(before);

    await panel.addProvider({
      name: 'openai-b',
      baseUrl: upstream.baseUrl,
      key: KEY_B,
      models: ['llama-3', 'small = tiny-upstream'],
      price: { prompt: 0.2, completion: 0.3 },
    });
    // Edit: keys left empty stay as stored; a bad edit changes nothing.
    const badEdit = await panel.editProvider('openai-b', { baseUrl: 'not a url' });
    expect(badEdit.ok ? 'saved' : badEdit.message).toMatch(/http:\/\/ or https:\/\//);
    await console.byTestId('providers-form-baseurl').fill(upstream.baseUrl);
    await console.byTestId('providers-form-price-prompt').fill('0.25');
    await console.byTestId('providers-form-submit').click();
    await console.byTestId('providers-form-done').waitFor();
    await expect
      .poll(async () => (await gateway.store.getProvider('openai-b'))?.price)
      .toEqual({ prompt: 0.25, completion: 0.3 });
    const edited = await gateway.store.getProvider('openai-b');
    expect(edited).toMatchObject({ apiKeys: [KEY_B], models: { small: 'tiny-upstream' } });
    await panel.closeEdit();

    await panel.toggle('openai-b');
    await expect.poll(() => panel.state('openai-b')).toBe('Disabled');
    expect((await gateway.store.getProvider('openai-b'))?.enabled).toBe(false);
    expect((await adminGet<{ enabled: boolean }>('/providers/openai-b')).enabled).toBe(false);

    await gateway.store.addProvider({
      name: 'scratch',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKeys: ['sk-scratch-000000009'],
      models: { m: 'm' },
      price: { prompt: 1, completion: 1 },
      cost: null,
    });
    await console.byTestId('providers-refresh').click();
    await panel.row('scratch').waitFor();
    await console.byTestId('providers-remove-scratch').click();
    await console.byTestId('providers-remove-cancel-scratch').click();
    expect(await gateway.store.getProvider('scratch')).not.toBeNull();
    await panel.remove('scratch');
    expect(await gateway.store.getProvider('scratch')).toBeNull();

    await screenshots(console, () => panel.open(), 'providers');
  });

  it('sets a routing rule whose preview follows the edits', async () => {
    const { console } = operator;
    const panel = new RoutingPanel(console);
    await panel.open();
    await console.byTestId('routing-empty').waitFor();

    const refused: [Parameters<RoutingPanel['setRule']>[0], RegExp][] = [
      [{ model: 'llama-3', strategy: 'cheapest', routes: [] }, /at least one route/],
      [{ model: 'llama-3', strategy: 'pinned' }, /fixed order needs a list/],
      [
        { model: 'llama-3', strategy: 'cheapest', routes: ['openai-a'], priceCeiling: -1 },
        /price ceiling/,
      ],
      [
        {
          model: 'llama-3',
          strategy: 'balanced',
          routes: ['openai-a', 'openai-b'],
          weights: { 'openai-a': 3, 'openai-b': 0 },
        },
        /whole number from 1/,
      ],
      [{ model: 'x'.repeat(129), strategy: 'cheapest' }, /1 to 128 characters/],
    ];
    for (const [input, message] of refused) {
      const result = await panel.setRule(input);
      expect(result.ok ? 'saved' : result.message).toMatch(message);
      expect(await gateway.store.listRoutingRules(orgId)).toEqual([]);
    }

    await panel.fillRule({
      model: 'llama-3',
      strategy: 'cheapest',
      routes: ['openai-b', 'openai-a'],
      priceCeiling: 0.5,
    });
    expect(await panel.preview()).toBe(
      'For llama-3: the cheapest of openai-b and openai-a; never above $0.50 per million tokens.',
    );
    // Reorder from the keyboard: the preview follows.
    await console.byTestId('routing-up-openai-a').focus();
    await console.page.keyboard.press('Enter');
    expect(await panel.routeOrder()).toEqual(['openai-a', 'openai-b']);
    expect(await panel.preview()).toBe(
      'For llama-3: the cheapest of openai-a and openai-b; never above $0.50 per million tokens.',
    );
    await console.byTestId('routing-strategy').selectOption('pinned');
    expect(await panel.preview()).toBe(
      'For llama-3: openai-a, then openai-b, in that order; never above $0.50 per million tokens.',
    );
    await console.byTestId('routing-strategy').selectOption('cheapest');
    expect(await panel.save()).toEqual({ ok: true });
    await panel.rule('llama-3').waitFor();

    const { data } = await adminGet<{ data: RoutingRule[] }>(`/routing-rules?orgId=${orgId}`);
    expect(data).toEqual([
      expect.objectContaining({
        orgId,
        model: 'llama-3',
        strategy: 'cheapest',
        routes: ['openai-a', 'openai-b'],
        weights: null,
        maxPrice: { prompt: 0.5, completion: 0.5 },
      }),
    ]);
    expect(await panel.ruleText('llama-3')).toBe(
      'For llama-3: the cheapest of openai-a and openai-b; never above $0.50 per million tokens.',
    );

    // A default rule, weighted, then removed through the two-step confirm.
    expect(
      await panel.setRule({
        model: '*',
        strategy: 'balanced',
        routes: ['openai-a', 'own-nodes'],
        weights: { 'openai-a': 3, 'own-nodes': 1 },
      }),
    ).toEqual({ ok: true });
    expect(await panel.ruleText('*')).toBe(
      'For every other model: shared: 75% to openai-a and 25% to our own nodes.',
    );
    expect((await gateway.store.listRoutingRules(orgId)).map((rule) => rule.model).sort()).toEqual([
      '*',
      'llama-3',
    ]);
    await panel.editRule('llama-3');
    expect(await panel.routeOrder()).toEqual(['openai-a', 'openai-b']);
    await screenshots(console, () => panel.open(), 'routing');
    await panel.removeRule('*');
    expect((await gateway.store.listRoutingRules(orgId)).map((rule) => rule.model)).toEqual([
      'llama-3',
    ]);
    await operator.context.close();
  });

  it('shows an org admin the providers read-only', async () => {
    const { key } = await gateway.store.createOrgAdminKey(orgId, 'alice');
    const { context, console } = await openConsole();
    await console.signIn(key);
    const panel = new ProvidersPanel(console);
    await panel.open();
    await console.byTestId('providers-operator-only').waitFor();
    await panel.row('openai-a').waitFor();
    expect(await console.byTestId('providers-form').count()).toBe(0);
    expect(await console.page.locator('[data-testid^="providers-edit-"]').count()).toBe(0);
    expect(await console.page.content()).not.toContain(KEY_A);
    // Its own rules are there to edit.
    const routing = new RoutingPanel(console);
    await routing.open();
    await routing.rule('llama-3').waitFor();
    await context.close();
  });
});
