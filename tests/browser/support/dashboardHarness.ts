/**
 * What the end-to-end dashboard tests share: a demo network with one real node, Chromium, an
 * OpenAI client on the gateway, and the answer to "does this node serve the dashboard?".
 */
import OpenAI from 'openai';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { callNode } from '../../../demo/nodeControl.js';
import { DashboardPage } from '../pages/DashboardPage.js';
import { startDemo, type Demo, type DemoNode } from '../../../demo/startDemo.js';
import { launchChromium } from './chromium.js';
import { screenshotDir } from './screenshots.js';
import { serveStatic } from './staticServer.js';

export { SCREENSHOT_DIR } from './screenshots.js';

export interface DashboardHarness {
  demo: Demo;
  node: DemoNode;
  browser: Browser;
  openai: OpenAI;
  /** The dashboard's address with the token in the fragment. */
  url: string;
  /** One short chat completion through the gateway. */
  ask(): Promise<unknown>;
  /** Serves a copy of the demo's model as `<name>.gguf` from a local HTTP server. */
  serveModelCopy(name: string): Promise<{ url: string; close(): Promise<void> }>;
  /** A fresh browser context and page, English and light, recording page errors. */
  newPage(): Promise<DashboardSession>;
  close(): Promise<void>;
}

export interface DashboardSession {
  context: BrowserContext;
  page: Page;
  dashboard: DashboardPage;
  /** Script errors and console errors (CSP violations among them). */
  errors: string[];
  /** Opens the dashboard past the onboarding, on the overview. */
  openDashboard(): Promise<void>;
}

export async function startDashboardHarness(): Promise<DashboardHarness> {
  const [demo, browser] = await Promise.all([startDemo({ nodes: 1 }), launchChromium()]);
  const node = demo.nodes[0]!;
  const openai = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
  const index = await fetch(`${node.control.url}/`);
  if (index.status !== 200) {
    // A dashboard that is not there is a failure, never a reason to skip the suite.
    await Promise.all([browser.close(), demo.stop()]);
    throw new Error(
      `the node's control server does not serve the dashboard (GET / answered ${index.status}: ${await index.text()}); run npm run build first`,
    );
  }
  screenshotDir();
  return {
    demo,
    node,
    browser,
    openai,
    url: `${node.control.url}/#token=${node.control.token}`,
    ask: () =>
      openai.chat.completions.create({
        model: demo.model,
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 8,
        temperature: 0,
      }),
    serveModelCopy: async (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'byoi-models-'));
      copyFileSync(demo.modelPath, join(dir, `${name}.gguf`));
      const server = await serveStatic(dir);
      return {
        url: `${server.url}${name}.gguf`,
        close: async () => {
          await server.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    newPage: async () => {
      const context = await browser.newContext({
        locale: 'en-US',
        colorScheme: 'light',
        viewport: { width: 1280, height: 860 },
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const dashboard = new DashboardPage(page);
      const url = `${node.control.url}/#token=${node.control.token}`;
      const openDashboard = async () => {
        await callNode(node.control, 'updateSettings', { onboarded: true });
        await dashboard.open(url);
        await dashboard.screen('overview').waitFor();
      };
      return { context, page, dashboard, errors, openDashboard };
    },
    close: async () => {
      await browser.close();
      await demo.stop();
    },
  };
}

/** "$0.000123" or "1,234" → the number (en-US formatting). */
export const amount = (text: string | null): number =>
  Number((text ?? '').replace(/[^0-9.-]/g, ''));

/** The live harness and this test's page, as {@link useDashboardHarness} keeps them. */
export interface DashboardTestContext {
  readonly harness: DashboardHarness;
  readonly session: DashboardSession;
}

/**
 * Registers the suite's hooks: one harness for the file (it fails when the node does not
 * serve the dashboard), a fresh page per test, and no page errors after each.
 */
export function useDashboardHarness(): DashboardTestContext {
  let harness: DashboardHarness | undefined;
  let session: DashboardSession | undefined;
  beforeAll(async () => {
    harness = await startDashboardHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    session = await harness!.newPage();
  });
  afterEach(async () => {
    const errors = session?.errors ?? [];
    await session?.context.close();
    session = undefined;
    // Every screen worked without a script error or a CSP violation.
    expect(errors).toEqual([]);
  });
  return {
    get harness() {
      return harness!;
    },
    get session() {
      return session!;
    },
  };
}
