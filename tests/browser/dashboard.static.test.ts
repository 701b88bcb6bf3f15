/**
 * The built dashboard from a plain static server, with no engine: what it says without a
 * token, that its CSP holds, and the Electron transport (a stand-in `window.byoi`).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardPage } from './pages/DashboardPage.js';
import { OverviewPage, SchedulePage, SettingsPage } from './pages/ScreenPages.js';
import { launchChromium } from './support/chromium.js';
import {
  FAKE_ERROR,
  FAKE_GPU,
  FAKE_NEWER_DECISION,
  fakeBridgeScript,
  setFakeEngineState,
  type FakeBridgeOptions,
} from './support/fakeBridge.js';
import { plainSpaces } from './support/reasonStrings.js';
import { screenshotDir } from './support/screenshots.js';
import { serveStatic, type StaticServer } from './support/staticServer.js';

const rendererDir = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

describe('built dashboard in Chromium, without an engine', () => {
  let server: StaticServer;
  let copy: string | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let dashboard: DashboardPage;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    if (!existsSync(`${rendererDir}index.html`)) {
      throw new Error(`${rendererDir}index.html is missing; run \`npm run build\` first.`);
    }
    // A copy, so that a build running meanwhile (it empties out/renderer) cannot break these.
    copy = mkdtempSync(join(tmpdir(), 'byoi-renderer-'));
    cpSync(rendererDir, copy, { recursive: true });
    server = await serveStatic(copy);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  beforeEach(async () => {
    pageErrors.length = 0;
    context = await browser.newContext({ locale: 'en-US' });
  });

  afterEach(async () => {
    await context?.close();
  });

  /** Opens `url`, in the app (with the stand-in `window.byoi`) when `bridge` is given. */
  async function open(url: string, bridge?: FakeBridgeOptions): Promise<void> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    if (bridge) await page.addInitScript(fakeBridgeScript(bridge));
    dashboard = new DashboardPage(page);
    await dashboard.open(url);
  }

  it('without a token (and outside the app) it says how to get one', async () => {
    await open(server.url);
    await dashboard.noAccess.waitFor();
    expect(await dashboard.noAccess.textContent()).toContain('#token=');
    expect(pageErrors).toEqual([]);
  });

  it('ships a strict CSP that the browser enforces', async () => {
    await open(server.url);
    const policy = await dashboard.contentSecurityPolicy();
    expect(policy, 'CSP meta tag').not.toBeNull();
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    expect(await dashboard.inlineScriptRuns()).toBe(false);
    // The socket may go to this origin only.
    expect(await dashboard.foreignSocketBlockedBy('ws://127.0.0.2:9/api/ws')).toBe('connect-src');
  });

  it('with a token but no control socket, it says the connection is lost', async () => {
    await open(`${server.url}#token=abcdefabcdefabcdef`);
    await dashboard.connectionBanner.waitFor();
    expect(await dashboard.connectionBanner.textContent()).toMatch(/Reconnecting/);
  });

  it("in the app, it talks through window.byoi and shows the API's errors in its words", async () => {
    await open(server.url, {});
    const overview = new OverviewPage(dashboard.page);
    await overview.state.waitFor();
    expect(await overview.state.textContent()).toBe('Waiting');
    // The reason's code, in the dashboard's English.
    expect(await overview.reason.textContent()).toBe('waiting for 5 min without user input');
    // Small amounts keep their digits.
    expect(await overview.todayEarnings.textContent()).toBe('$0.000012');
    // The GPU as getHardware reports it.
    await overview.gpuRows.first().waitFor();
    const gpu = await overview.gpuRows.first().textContent();
    for (const fact of [FAKE_GPU.model, '37%', '6 GB used of 24 GB', '61 °C', '180 W']) {
      expect(gpu).toContain(fact);
    }
    await dashboard.screenshot(`${screenshotDir()}app-overview-gpu.png`);
    // The standing the gateway sent: score, rank, tokens, milestone, and what lowered it.
    expect(await overview.standingScore.textContent()).toBe('72 / 100');
    expect(await overview.standingRank.textContent()).toBe('3 of 5 nodes serving the same models');
    expect(await overview.standingTokens.textContent()).toBe('12,345');
    expect(await overview.standingMilestone.textContent()).toContain('10,000 tokens served');
    const incident = await overview.standingIncidents.first().textContent();
    expect(incident).toContain('Jobs failed today (tiny): 2.');
    expect(incident).toContain('the model was unloaded');
    expect(incident).toContain('do not unload or switch models while jobs run');
    // getDiagnostics is not answered by the stand-in: the panel says so, in its words.
    await overview.runDiagnostics();
    await overview.diagnosticsError.waitFor();
    expect(await overview.diagnosticsError.textContent()).toContain(
      `${FAKE_ERROR}: getDiagnostics`,
    );

    // The shell restarts the engine: the page says so, then carries on.
    await setFakeEngineState(dashboard.page, 'restarting');
    await dashboard.connectionBanner.waitFor();
    await setFakeEngineState(dashboard.page, 'running');
    await dashboard.connectionBanner.waitFor({ state: 'detached' });

    await dashboard.go('settings');
    const settings = new SettingsPage(dashboard.page);
    expect(await settings.version.textContent()).toBe('9.9.9');
    expect(await dashboard.page.getByTestId('about').textContent()).toContain('the desktop app');
    expect(pageErrors).toEqual([]);
  });

  it('in the app, says "update required" and offers "Restart to update", in French too', async () => {
    const update = {
      state: 'downloaded' as const,
      version: '0.2.0',
      error: null,
      checkedAt: '2026-01-01T00:00:00.000Z',
    };
    await open(server.url, { update, updateRequired: true });
    await dashboard.updateBanner.waitFor();
    expect(await dashboard.updateBanner.textContent()).toBe(
      'Update required. Version 0.2.0 is downloaded.Restart to update',
    );
    await dashboard.restartToUpdate.click();
    await expect
      .poll(() => dashboard.page.evaluate('window.__fakeBridgeCalls.includes("restartToUpdate")'))
      .toBe(true);
    await dashboard.go('settings');
    const settings = new SettingsPage(dashboard.page);
    expect(await settings.updateFeedURL.inputValue()).toBe('');
    expect(await settings.updateState.textContent()).toBe(
      'Version 0.2.0 is ready: restart to update.',
    );
    await dashboard.page.close();

    await open(server.url, { updateRequired: true, language: 'fr' });
    await dashboard.updateBanner.waitFor();
    await expect
      .poll(() => dashboard.updateBanner.textContent())
      .toMatch(/^Mise à jour requise\. .*byoi-node/);
    expect(await dashboard.restartToUpdate.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("in French, the engine's reasons read in French; a code from a newer engine in its English", async () => {
    await open(server.url, { language: 'fr' });
    const overview = new OverviewPage(dashboard.page);
    await overview.state.waitFor();
    await expect.poll(() => overview.state.textContent()).toBe('En attente');
    const waiting = "en attente de 5 min sans activité de l'utilisateur";
    expect(plainSpaces(await overview.reason.textContent())).toBe(waiting);
    await dashboard.go('schedule');
    const schedule = new SchedulePage(dashboard.page);
    expect(plainSpaces(await schedule.liveReason.textContent())).toBe(waiting);
    await schedule.decisions.nth(1).waitFor();
    expect(plainSpaces(await schedule.decisions.nth(0).textContent())).toContain(waiting);
    expect(await schedule.decisions.nth(1).textContent()).toContain(FAKE_NEWER_DECISION.reason);
    expect(pageErrors).toEqual([]);
  });
});
