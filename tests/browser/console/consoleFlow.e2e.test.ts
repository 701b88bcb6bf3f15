/**
 * The console's quick start, end to end in real Chromium against a real gateway: the
 * operator creates an organization and an API key, enrolls a real `byoi-node` with the
 * command the console displays and watches it come online, adds an upstream provider (a
 * real OpenAI-compatible server: `byoi-node --api-key --no-link`), and chats in the
 * playground through the node and through the pinned provider, with route, time to first
 * token, tokens and cost; a rate limit then shows its 429 in the playground.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callAdmin } from '../../../demo/adminApi.js';
import { NODE_BIN, runToCompletion } from '../../../demo/jsonProcess.js';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { startNode, type NodeProcess } from '../../support/nodeProcess.js';
import { createTempModel, type TempModel } from '../../support/tempModel.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { ConsolePage } from './pages/ConsolePage.js';
import { PlaygroundPanel } from './pages/PlaygroundPanel.js';

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

const admin = (method: string, path: string, body?: unknown) =>
  callAdmin(gateway.url, ADMIN_TOKEN, method, path, body);

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
    context = await browser.newContext();
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
    const [orgId] = (await gateway.store.listOrgs()).map((org) => org.id);
    const [record] = await gateway.store.listUsage({ orgId, limit: 1 });
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

  it('pins an upstream provider in the playground', async () => {
    const provider = await startNode([
      '--model',
      model.path,
      '--api-key',
      PROVIDER_KEY,
      '--no-link',
    ]);
    processes.push(provider);
    await admin('POST', '/providers', {
      name: 'upstream-a',
      baseUrl: provider.ready.openaiBaseURL,
      apiKeys: [PROVIDER_KEY],
      models: { tiny: 'tiny' },
      price: { prompt: 1, completion: 2 },
    });
    // The route list is read when the playground opens.
    await console.open('overview');
    await playground.open();
    await playground.choose('tiny', 'upstream-a');
    const run = await playground.send('Say hello again');
    expect(run.servedBy).toBe('upstream-a');
    await console.page.screenshot({
      path: join(screenshotDir(), 'console-playground-light-en.png'),
      fullPage: true,
    });
  });

  it('shows a rate limit as a 429 in the playground, and keeps the conversation', async () => {
    const [org] = await gateway.store.listOrgs();
    await admin('PUT', '/limits', { orgId: org!.id, rpm: 1 });
    // Requests are counted once a limit is in force: the first of this minute passes.
    await playground.send('Within the limit');
    const before = await console.byTestId('playground-turn-user').count();
    const refused = await playground.sendRefused('One more');
    expect(refused).toMatch(/rate limit/i);
    expect(await console.byTestId('playground-turn-user').count()).toBe(before);
  });
});
