import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardPage } from './pages/DashboardPage.js';
import { launchChromium } from './support/chromium.js';
import { serveStatic, type StaticServer } from './support/staticServer.js';

const rendererDir = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

describe('built renderer in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let context: BrowserContext;
  let dashboard: DashboardPage;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    if (!existsSync(`${rendererDir}index.html`)) {
      throw new Error(`${rendererDir}index.html is missing; run \`npm run build\` first.`);
    }
    server = await serveStatic(rendererDir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    pageErrors.length = 0;
    context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    dashboard = new DashboardPage(page);
    await dashboard.open(server.url);
  });

  afterEach(async () => {
    await context?.close();
  });

  it('renders the placeholder title without page errors', async () => {
    expect(await dashboard.title.textContent()).toBe('BYOI Node — dashboard coming soon');
    expect(pageErrors).toEqual([]);
  });

  it('ships a strict CSP that the browser enforces', async () => {
    const policy = await dashboard.contentSecurityPolicy();
    expect(policy, 'CSP meta tag').not.toBeNull();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(await dashboard.inlineScriptRuns()).toBe(false);
  });
});
