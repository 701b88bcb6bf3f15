/**
 * The console's overview and usage screens in real Chromium against a real gateway whose
 * routes are two OpenAI-compatible providers (local HTTP servers on port 0), called with the
 * `openai` client: the overview's tiles and charts match `/usage/daily`, the usage table and
 * its CSV export match `/usage/report`, the comparison runs the prompt on the routes picked,
 * and bad inputs show a readable message and change nothing. A new organization sees what
 * to do next. Screenshots of both screens, light and dark, English and French.
 */
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyUsageRow, RouteView, UsageReportRow } from '../../../common/adminRecords.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { formatNumber, formatUsd } from '../../../renderer/src/format/format.js';
import { FakeUpstream } from '../../support/fakeUpstream.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { ConsolePage } from './pages/ConsolePage.js';
import { OverviewPanel } from './pages/OverviewPanel.js';
import { UsagePanel, type UsageBy } from './pages/UsagePanel.js';

const ADMIN_TOKEN = 'usage-e2e-admin-token-0123456789';
let gateway: RunningGateway;
let browser: Browser;
let alpha: FakeUpstream;
let beta: FakeUpstream;
let busyOrg: string;
let busyAdminKey: string;
let newAdminKey: string;
let newOrg: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function adminApi<T = any>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`${gateway.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

const since29 = () => new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
const report = async (by: UsageBy, orgId = busyOrg) =>
  (
    await adminApi<{ data: UsageReportRow[] }>(
      `/usage/report?orgId=${orgId}&by=${by}&since=${since29()}`,
    )
  ).data;
const upstreamCalls = () => alpha.calls.length + beta.calls.length;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
  gateway = await startGateway({ dataDir: null, port: 0, adminToken: ADMIN_TOKEN });
  browser = await launchChromium();
  const provider = (name: string, baseUrl: string, models: string[], prompt: number) => ({
    name,
    baseUrl,
    apiKeys: [`sk-${name}-0123456789`],
    models: Object.fromEntries(models.map((model) => [model, 'fake-model'])),
    price: { prompt, completion: prompt * 2 },
  });
  await adminApi('/providers', 'POST', provider('alpha', alpha.baseUrl, ['small'], 1));
  await adminApi('/providers', 'POST', provider('beta', beta.baseUrl, ['small', 'large'], 3));
  busyOrg = (await gateway.store.createOrg('Busy lab')).id;
  busyAdminKey = (await gateway.store.createOrgAdminKey(busyOrg, 'admin')).key;
  // An enrolled node that is not connected: the overview counts it, offline.
  const { code } = await gateway.store.createEnrollmentCode(busyOrg);
  await gateway.store.enrollNode(code, Buffer.alloc(32, 7).toString('base64'), 'gpu-box');
  newOrg = (await gateway.store.createOrg('New lab')).id;
  newAdminKey = (await gateway.store.createOrgAdminKey(newOrg, 'admin')).key;
  // Real traffic: three calls for `small` (the cheaper alpha serves them), two for `large`.
  const { key } = await gateway.store.createApiKey(busyOrg, 'app');
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 });
  for (const model of ['small', 'small', 'large', 'small', 'large']) {
    const answer = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Say hi' }],
    });
    expect(answer.choices[0]?.message.content).toBe('ok');
  }
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await alpha?.close();
  await beta?.close();
});

async function openConsole(
  secret: string,
): Promise<{ context: BrowserContext; console: ConsolePage }> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${gateway.url}/console/`);
  const console = new ConsolePage(page);
  await console.signIn(secret);
  return { context, console };
}

describe('the overview and usage screens', () => {
  it('shows today and the last days as the admin API reports them, with routes and nodes', async () => {
    const { context, console } = await openConsole(busyAdminKey);
    const overview = new OverviewPanel(console);
    // The overview is the screen after sign-in.
    await console.byTestId('screen-overview').waitFor();
    const days = (
      await adminApi<{ data: DailyUsageRow[] }>(`/usage/daily?orgId=${busyOrg}&days=30`)
    ).data;
    const today = days.at(-1)!;
    expect(today.requests).toBe(5);
    expect(await overview.overviewTiles()).toEqual({
      requests: '5',
      tokens: formatNumber(today.promptTokens + today.completionTokens, 'en', 0),
      cost: formatUsd(today.costNanos / 1e9, 'en'),
      errors: formatNumber(today.errors, 'en', 0),
    });
    expect(today.costNanos).toBeGreaterThan(0);
    expect(await overview.chartDays('requests')).toBe(7);
    // Requests then errors per day: today's are the last pair.
    expect((await overview.chartValues('requests').allTextContents()).slice(-2)).toEqual([
      '5',
      String(today.errors),
    ]);
    await overview.period(30);
    await expect.poll(() => overview.chartDays('cost')).toBe(30);
    expect((await overview.chartValues('cost').allTextContents()).at(-1)).toBe(
      formatUsd(today.costNanos / 1e9, 'en'),
    );
    const routes = (await adminApi<{ data: RouteView[] }>('/routes')).data;
    const shown = await overview.routes();
    expect(shown.map((route) => route.id).sort()).toEqual(routes.map((route) => route.id).sort());
    expect(shown.map((route) => route.state)).toEqual(routes.map(() => 'Healthy'));
    expect(await overview.nodesText()).toBe('0 of 1 nodes online');
    expect(await overview.gettingStarted.count()).toBe(0);
    await context.close();
  });

  it('reports usage per model and route, exports it as CSV, and checks the period', async () => {
    const { context, console } = await openConsole(busyAdminKey);
    const usage = new UsagePanel(console);
    await usage.open();
    for (const by of ['model', 'route'] as const) {
      const api = await report(by);
      expect(api.map((row) => row.group)).toEqual(
        by === 'model' ? ['large', 'small'] : ['alpha', 'beta'],
      );
      expect(await usage.usageRows(by, 30)).toEqual(
        api.map((row) => ({
          group: row.group,
          requests: String(row.requests),
          errors: String(row.errors),
          prompt: formatNumber(row.promptTokens, 'en', 0),
          completion: formatNumber(row.completionTokens, 'en', 0),
          cost: formatUsd(row.costNanos / 1e9, 'en'),
        })),
      );
      const csv = await usage.exportCsv();
      expect(csv.fileName).toMatch(new RegExp(`^byoi-usage-by-${by}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const [header, ...lines] = csv.text.trimEnd().split('\r\n');
      expect(header).toBe(
        `${by},requests,errors,prompt_tokens,completion_tokens,cost_usd,latency_p50_ms,latency_p95_ms,ttft_p50_ms`,
      );
      expect(
        lines.map((line) => {
          const [group, requests, errors, prompt, completion, cost] = line.split(',');
          return [
            group,
            Number(requests),
            Number(errors),
            Number(prompt),
            Number(completion),
            Number(cost),
          ];
        }),
      ).toEqual(
        api.map((row) => [
          row.group,
          row.requests,
          row.errors,
          row.promptTokens,
          row.completionTokens,
          row.costNanos / 1e9,
        ]),
      );
    }
    // Bad periods: a readable message, the table stays as it was, nothing stored changes.
    const before = await usage.usageRows();
    const stored = await report('route');
    const bad: [Parameters<UsagePanel['showReport']>[0], RegExp][] = [
      [{ days: 0 }, /whole number from 1 to 366/],
      [{ days: 400 }, /whole number from 1 to 366/],
      [{ days: 2.5 }, /whole number from 1 to 366/],
      [{ since: '2026-13-45' }, /look like 2026-01-31/],
      [{ since: '2030-02-01', until: '2030-01-01' }, /start date is after the end date/],
    ];
    for (const [input, message] of bad) {
      await usage.showReport(input);
      expect(await usage.reportError()).toMatch(message);
      expect(await usage.usageRows()).toEqual(before);
    }
    expect(await report('route')).toEqual(stored);
    // A period with no usage says so.
    await usage.showReport({ since: '2030-01-01', until: '2030-01-31' });
    await console.byTestId('usage-empty').waitFor();
    await context.close();
  });

  it('compares the same prompt on the routes picked, and refuses incomplete forms', async () => {
    const { context, console } = await openConsole(busyAdminKey);
    const usage = new UsagePanel(console);
    await usage.open();
    const routes = (await adminApi<{ data: RouteView[] }>('/routes')).data;
    const idOf = (label: string) => routes.find((route) => route.label === label)!.id;
    const calls = upstreamCalls();
    const both = await usage.compare({ model: 'small', prompt: 'Say hi', maxTokens: 8 });
    expect(both.map((row) => [row.route, row.status])).toEqual([
      ['alpha', 'Answered'],
      ['beta', 'Answered'],
    ]);
    expect(upstreamCalls()).toBe(calls + 2);
    expect(alpha.calls.at(-1)?.body).toMatchObject({ max_tokens: 8 });
    const one = await usage.compare({ model: 'small', prompt: 'Say hi', routes: [idOf('beta')] });
    expect(one.map((row) => row.route)).toEqual(['beta']);
    expect(upstreamCalls()).toBe(calls + 3);
    // Each answer is billed like any request.
    const byRoute = await report('route');
    expect(byRoute.map((row) => [row.group, row.requests])).toEqual([
      ['alpha', 4],
      ['beta', 4],
    ]);

    const bad: [Parameters<UsagePanel['compare']>[0], RegExp][] = [
      [{ model: '', prompt: 'Say hi' }, /Choose the model/],
      [{ model: 'small', prompt: '   ' }, /Write the prompt/],
      [{ model: 'small', prompt: 'Say hi', routes: [] }, /at least one route/],
      [{ model: 'small', prompt: 'Say hi', maxTokens: 0 }, /from 1 to 4096/],
      [{ model: 'small', prompt: 'Say hi', maxTokens: 5000 }, /from 1 to 4096/],
    ];
    for (const [input, message] of bad) {
      expect(await usage.compare(input)).toEqual([]);
      expect(await usage.compareError()).toMatch(message);
    }
    expect(upstreamCalls()).toBe(calls + 3);
    expect(await report('route')).toEqual(byRoute);

    // Screenshots with data: the overview, then usage with a comparison on screen.
    await usage.compare({ model: 'small', prompt: 'Say hi', maxTokens: 16 });
    const overview = new OverviewPanel(console);
    const dir = screenshotDir();
    for (const theme of ['light', 'dark'] as const) {
      for (const language of ['en', 'fr'] as const) {
        await console.setLook(theme, language);
        await overview.open();
        await console.byTestId('overview-chart-requests').locator('svg').first().waitFor();
        await console.page.screenshot({
          path: join(dir, `console-overview-${theme}-${language}.png`),
          fullPage: true,
        });
        await usage.open();
        await usage.showReport({ by: 'route', days: 30 });
        await usage.compare({ model: 'small', prompt: 'Say hi' });
        await console.page.screenshot({
          path: join(dir, `console-usage-${theme}-${language}.png`),
          fullPage: true,
        });
      }
    }
    await context.close();
  });

  it('points a new organization to its first steps, and shows the gateway refusing', async () => {
    const { context, console } = await openConsole(newAdminKey);
    const overview = new OverviewPanel(console);
    await overview.gettingStarted.waitFor();
    expect(await overview.overviewTiles()).toMatchObject({ requests: '0', errors: '0' });
    expect(await overview.nodesText()).toBe('No nodes enrolled in this organization.');
    await overview.startStep('key');
    await console.byTestId('screen-keys').waitFor();
    const usage = new UsagePanel(console);
    await usage.open();
    await console.byTestId('usage-empty').waitFor();
    // The organization has no API key to bill the comparison to: the gateway says so.
    const calls = upstreamCalls();
    expect(await usage.compare({ model: 'small', prompt: 'Say hi' })).toEqual([]);
    expect(await usage.compareError()).toMatch(/no active API key/);
    expect(upstreamCalls()).toBe(calls);
    expect(await report('model', newOrg)).toEqual([]);
    await context.close();
  });
});
