/**
 * The console's quick start, end to end in real Chromium against a real gateway: the
 * operator creates an organization and an API key, enrolls a real `byoi-node` with the
 * command the console displays and watches it come online, chats in the playground through
 * the node (route, time to first token, tokens, cost), adds an upstream provider (a real
 * OpenAI-compatible server: `byoi-node --api-key --no-link`) and a rule that pins it, sets a
 * rate limit and sees its 429, reads usage by route and its CSV and the audit entries of each
 * step, and gives the org an admin key. Then a screenshot of every screen, light and dark,
 * English and French.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NODE_BIN, runToCompletion } from '../../../demo/jsonProcess.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { startNode, type NodeProcess } from '../../support/nodeProcess.js';
import { createTempModel, type TempModel } from '../../support/tempModel.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { CONSOLE_SCREENS } from '../../../renderer/src/console/stores/consoleNav.js';
import { AuditPanel } from './pages/AuditPanel.js';
import { ConsolePage } from './pages/ConsolePage.js';
import { LimitsPanel } from './pages/LimitsPanel.js';
import { OrgsPanel } from './pages/OrgsPanel.js';
import { PlaygroundPanel } from './pages/PlaygroundPanel.js';
import { ProvidersPanel } from './pages/ProvidersPanel.js';
import { RoutingPanel } from './pages/RoutingPanel.js';
import { UsagePanel } from './pages/UsagePanel.js';

const ADMIN_TOKEN = 'console-flow-admin-token-0123456789';
const PROVIDER_KEY = 'sk-flow-provider-key-0123';

let gateway: RunningGateway;
let browser: Browser;
let model: TempModel;
let nodeDir: string;
const processes: NodeProcess[] = [];

beforeAll(async () => {
  model = createTempModel();
  nodeDir = mkdtempSync(join(tmpdir(), 'byoi-console-node-'));
  // A still wall clock: every request of the test falls in one rate window.
  const now = Date.now();
  gateway = await startGateway({
    dataDir: null,
    port: 0,
    adminToken: ADMIN_TOKEN,
    wallClock: () => now,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(processes.map((node) => node.stop()));
  await gateway?.close();
  model?.cleanup();
  if (nodeDir) rmSync(nodeDir, { recursive: true, force: true });
});

/** The one organization this test creates. */
const orgId = async () => (await gateway.store.listOrgs())[0]!.id;

/** Runs the `byoi-node enroll …` command as displayed, with this test's data folder. */
async function runDisplayedCommand(command: string): Promise<void> {
  const [program, ...args] = command.split(/\s+/);
  expect(program).toBe('byoi-node');
  const enrolled = await runToCompletion(NODE_BIN, [...args, '--data-dir', nodeDir]);
  expect(enrolled.stderr).toBe('');
  expect(enrolled.code).toBe(0);
}

describe('the console quick start', () => {
  let context: BrowserContext;
  let console: ConsolePage;
  let playground: PlaygroundPanel;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${gateway.url}/console/`);
    console = new ConsolePage(page);
    playground = new PlaygroundPanel(console);
  });

  afterAll(async () => {
    await context?.close();
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  it('enrolls a real node with the displayed command and sees it come online', async () => {
    await console.signIn(ADMIN_TOKEN);
    await console.createOrg('Quick start lab');
    await console.createKey('playground');
    const command = await console.enrollCommand();
    await runDisplayedCommand(command);
    const node = await startNode(['--model', model.path, '--data-dir', nodeDir]);
    processes.push(node);
    const nodeId = node.ready.nodeId!;
    expect(nodeId).toMatch(/\S/);
    // The fleet view refreshes itself: no reload, no click.
    await console.byTestId(`node-state-${nodeId}`).filter({ hasText: 'Online' }).waitFor();
  });

  it('chats through the node in the playground, with its route, tokens and cost', async () => {
    await playground.open();
    await playground.choose('tiny');
    const run = await playground.send('Say hello');
    expect(run.reply.length).toBeGreaterThan(0);
    expect(run.servedBy).toMatch(/^node \(/);
    expect(run.ttft).toMatch(/^\d[\d,.\s]* ms$/);
    const [record] = await gateway.store.listUsage({ orgId: await orgId(), limit: 1 });
    expect(record!.route).toBe('node');
    const count = new Intl.NumberFormat('en').format;
    expect(run.tokens).toBe(
      `${count(record!.promptTokens)} in · ${count(record!.completionTokens)} out`,
    );
    expect(record!.completionTokens).toBeLessThanOrEqual(256);
    expect(run.cost).toBe(
      new Intl.NumberFormat('en', {
        style: 'currency',
        currency: 'USD',
        minimumFractionDigits: 2,
        maximumFractionDigits: 6,
      }).format(record!.chargedNanos / 1e9),
    );
  });

  it('adds a provider and a routing rule in the console, and the playground follows the rule', async () => {
    const provider = await startNode([
      '--model',
      model.path,
      '--api-key',
      PROVIDER_KEY,
      '--no-link',
    ]);
    processes.push(provider);
    const providers = new ProvidersPanel(console);
    await providers.open();
    expect(
      await providers.addProvider({
        name: 'upstream-a',
        baseUrl: provider.ready.openaiBaseURL!,
        key: PROVIDER_KEY,
        models: ['tiny'],
      }),
    ).toEqual({ ok: true });
    expect(await gateway.store.getProvider('upstream-a')).toMatchObject({
      apiKeys: [PROVIDER_KEY],
    });
    const routing = new RoutingPanel(console);
    await routing.open();
    expect(
      await routing.setRule({ model: 'tiny', strategy: 'pinned', routes: ['upstream-a'] }),
    ).toEqual({ ok: true });
    // Auto routing now goes where the rule says, not to the node.
    await playground.open();
    await playground.choose('tiny');
    const run = await playground.send('Say hello again');
    expect(run.servedBy).toBe('upstream-a');
    const [record] = await gateway.store.listUsage({ orgId: await orgId(), limit: 1 });
    expect(record!.route).toBe('upstream-a');
  });

  it('sets a rate limit in the console and shows its 429 in the playground, keeping the conversation', async () => {
    const limits = new LimitsPanel(console);
    await limits.open();
    await limits.setRateLimit(1);
    // Requests are counted once a limit is in force: the first of this minute passes.
    await playground.open();
    await playground.send('Within the limit');
    const before = await console.byTestId('playground-turn-user').count();
    const refused = await playground.sendRefused('One more');
    expect(refused).toMatch(/rate limit/i);
    expect(await console.byTestId('playground-turn-user').count()).toBe(before);
  });

  it('shows each route in the usage report and its CSV, and every step in the audit log', async () => {
    const usage = new UsagePanel(console);
    await usage.open();
    const rows = await usage.usageRows('route', 1);
    expect(rows.map((row) => row.group).sort()).toEqual(['node', 'upstream-a']);
    const ledger = await gateway.store.listUsage({ orgId: await orgId(), limit: 100 });
    const served = (route: string) => ledger.filter((entry) => entry.route === route).length;
    for (const row of rows) expect(Number(row.requests)).toBe(served(row.group));
    const csv = await usage.exportCsv();
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^route,requests,/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(['node', 'upstream-a']);
    expect(await usage.chartValues('tokens').count()).toBeGreaterThan(0);

    const audit = new AuditPanel(console);
    await audit.open();
    const actions = await audit.auditActions();
    for (const action of [
      'org.create',
      'key.create',
      'enroll-code.create',
      'provider.add',
      'routing.set',
      'limits.set',
    ])
      expect(actions).toContain(action);
    expect(JSON.stringify(await audit.entries())).not.toContain(PROVIDER_KEY);
  });

  it('gives the organization an admin key, and its admin signs in to that org alone', async () => {
    const orgs = new OrgsPanel(console);
    await orgs.open();
    const secret = await orgs.createAdminKey('Quick start lab', 'alice');
    const second = await browser.newContext();
    const page = await second.newPage();
    await page.goto(`${gateway.url}/console/`);
    const orgAdmin = new ConsolePage(page);
    await orgAdmin.signIn(secret);
    expect(await orgAdmin.byTestId('console-org-name').innerText()).toBe('Quick start lab');
    expect(await new OrgsPanel(orgAdmin).visible()).toBe(false);
    await second.close();
    const audit = new AuditPanel(console);
    await audit.open();
    expect(await audit.auditActions()).toContain('admin-key.create');
  });

  it('writes a screenshot of every screen, light and dark, in English and French', async () => {
    const dir = screenshotDir();
    for (const theme of ['light', 'dark'] as const) {
      for (const language of ['en', 'fr'] as const) {
        await console.setLook(theme, language);
        for (const screen of CONSOLE_SCREENS) {
          await console.open(screen);
          await console.settled();
          const path = join(dir, `console-${screen}-${theme}-${language}.png`);
          await console.page.screenshot({ path, fullPage: true });
          expect(statSync(path).size).toBeGreaterThan(10_000);
        }
      }
    }
    await console.setLook('light', 'en');
  });
});
