/**
 * The real dashboard against the real thing: a demo gateway and one headless node whose
 * control server serves the built renderer and the control socket. Chromium opens
 * `<control url>/#token=…` and the tests drive the screens, checking each effect through the
 * node's control API, the gateway's logs and its admin API. Screenshots of every screen in
 * both themes land in tests/browser/screenshots-out/ (not committed).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { callNode } from '../../demo/nodeControl.js';
import { reasonText } from '../../renderer/src/i18n/reasonText.js';
import { SCREENS, type DashboardPage } from './pages/DashboardPage.js';
import { OnboardingPage } from './pages/OnboardingPage.js';
import {
  EarningsPage,
  ModelsPage,
  OverviewPage,
  PricingPage,
  RequestsPage,
  SchedulePage,
  SettingsPage,
} from './pages/ScreenPages.js';
import {
  SCREENSHOT_DIR,
  amount,
  useDashboardHarness,
  type DashboardHarness,
} from './support/dashboardHarness.js';
import { dashboardI18n, plainSpaces } from './support/reasonStrings.js';

const WAIT = { timeout: 20_000 };
/** What the dashboard shows for the engine's reasons, in each language. */
const english = dashboardI18n('en');
const french = dashboardI18n('fr');

const suite = useDashboardHarness();
let harness: DashboardHarness;
let page: Page;
let dashboard: DashboardPage;

beforeEach(() => {
  harness = suite.harness;
  ({ page, dashboard } = suite.session);
});

const openDashboard = () => suite.session.openDashboard();

describe('dashboard on a real node', () => {
  it('opens a set-up node on Overview; its setup, run again, start to finish, saves through the engine', async () => {
    const onboarding = new OnboardingPage(page);
    // The demo node serves a model and is linked: set up, so no wizard.
    await dashboard.open(harness.url);
    await dashboard.screen('overview').waitFor();
    // What Settings' "Run the setup again" does.
    await callNode(harness.node.control, 'updateSettings', { onboarded: false });
    await page.reload();
    await onboarding.step('hardware').waitFor();
    await dashboard.screenshot(`${SCREENSHOT_DIR}light-onboarding.png`);

    // Hardware: what getHardware found, its summary translated from its code.
    const hardware = await callNode(harness.node.control, 'getHardware', {});
    await onboarding.hardwareSummary.waitFor();
    expect(plainSpaces(await onboarding.hardwareSummary.textContent())).toBe(
      plainSpaces(reasonText(english, hardware.summaryCode, 'not translated')),
    );

    // Model: the demo's tiny model is installed and served; it is picked.
    await onboarding.next('model');
    await onboarding.model(harness.demo.model).check();
    expect(await onboarding.model(harness.demo.model).isChecked()).toBe(true);

    // Benchmark with that model.
    await onboarding.next('benchmark');
    await onboarding.runBenchmark();
    await onboarding.benchmarkTokensPerSecond.waitFor(WAIT);
    expect(amount(await onboarding.benchmarkTokensPerSecond.textContent())).toBeGreaterThan(0);

    // Network: the demo node is enrolled already.
    await onboarding.next('network');
    await onboarding.networkLinked.waitFor();
    expect(await onboarding.networkLinked.textContent()).toContain(harness.node.id);

    await onboarding.next('schedule');
    await onboarding.chooseMode('idle');
    await onboarding.setIdleMinutes(10);
    await onboarding.chooseMode('always');
    await onboarding.next('prices');
    await onboarding.setPrices(0.15, 0.25);
    await onboarding.next('finish');
    await onboarding.finish();
    await dashboard.screen('overview').waitFor();

    const settings = await callNode(harness.node.control, 'getSettings', {});
    expect(settings.onboarded).toBe(true);
    expect(settings.schedule).toMatchObject({ mode: 'always', idleThresholdSeconds: 600 });
    expect(settings.pricing.default).toEqual({ prompt: 0.15, completion: 0.25 });
  });

  it('a wrong token is refused, and the page says what to do', async () => {
    await dashboard.open(`${harness.node.control.url}/#token=not-the-token-0000000000`);
    await dashboard.connectionBanner.waitFor(WAIT);
    expect(await dashboard.connectionBanner.textContent()).toMatch(/refused the access token/);
  });

  it('a mode switch changes what the engine does, and the keyboard gets there', async () => {
    const schedule = new SchedulePage(page);
    await openDashboard();
    // Keyboard: focus the nav button, press Enter, and the screen's heading takes the focus.
    await dashboard.navButton('schedule').focus();
    await page.keyboard.press('Enter');
    await dashboard.screen('schedule').waitFor();
    expect(await dashboard.focusedTestId()).toBe('screen-title');

    await schedule.chooseMode('paused');
    await expect
      .poll(async () => (await callNode(harness.node.control, 'getStatus', {})).schedule, WAIT)
      .toMatchObject({ mode: 'paused', state: 'paused' });
    await expect.poll(() => schedule.liveState.textContent(), WAIT).toBe('Paused');

    await schedule.chooseMode('always');
    await expect
      .poll(async () => (await callNode(harness.node.control, 'getStatus', {})).schedule, WAIT)
      .toMatchObject({ mode: 'always', state: 'serving' });
    await expect.poll(() => schedule.liveState.textContent(), WAIT).toBe('Serving');

    // Pause for an hour, then resume.
    await schedule.pauseForAnHour();
    await schedule.pausedUntil.waitFor();
    const paused = await callNode(harness.node.control, 'getStatus', {});
    expect(paused.schedule.pausedUntil).not.toBeNull();
    await schedule.resume();
    await schedule.pausedUntil.waitFor({ state: 'detached' });
    await expect
      .poll(async () => (await callNode(harness.node.control, 'getStatus', {})).schedule, WAIT)
      .toMatchObject({ pausedUntil: null, state: 'serving' });
    expect(await schedule.decisions.count()).toBeGreaterThan(1);

    // An overnight weekly window, saved as the settings want it.
    await schedule.addOvernightWindow();
    expect(await schedule.windowSpans.first().textContent()).toMatch(/past midnight/);
    await schedule.saveWindows();
    await schedule.windowsSaved.waitFor();
    const settings = await callNode(harness.node.control, 'getSettings', {});
    expect(settings.schedule.windows).toEqual([
      { days: [1, 2, 3, 4, 5], start: '22:00', end: '07:00' },
    ]);
  });

  it('a price set in the UI reaches the gateway, and a request is charged at it', async () => {
    const pricing = new PricingPage(page);
    await openDashboard();
    await dashboard.go('pricing');
    await pricing.model(harness.demo.model).waitFor();
    expect(await pricing.marketMedians(harness.demo.model).count()).toBe(2);

    const mark = harness.demo.gateway.logs.length;
    await pricing.setModelPrice(harness.demo.model, 0.7, 1.3);
    await pricing.saved(harness.demo.model).waitFor();
    await harness.demo.gateway.waitForLog(
      (line) => line.msg === 'node announced' && line.nodeId === harness.node.id,
      mark,
    );
    await harness.ask();
    const usage = await harness.demo.admin<{
      data: { nodeId: string; price: { prompt: number; completion: number } }[];
    }>('GET', `/usage?orgId=${harness.demo.orgId}&limit=1`);
    expect(usage.data[0]).toMatchObject({
      nodeId: harness.node.id,
      price: { prompt: 0.7, completion: 1.3 },
    });
    const settings = await callNode(harness.node.control, 'getSettings', {});
    expect(settings.pricing.models[harness.demo.model]).toEqual({ prompt: 0.7, completion: 1.3 });
  });

  it('earnings and request charts fill as requests are served', async () => {
    await openDashboard();
    const overview = new OverviewPage(page);
    await overview.requests.waitFor();
    const servedBefore = amount(await overview.requests.textContent());
    const { lifetime } = await callNode(harness.node.control, 'getEarnings', {});
    for (let i = 0; i < 3; i++) await harness.ask();
    const count = async () => amount(await overview.requests.textContent());
    await expect.poll(count, WAIT).toBeGreaterThanOrEqual(servedBefore + 3);

    const earnings = new EarningsPage(page);
    await dashboard.go('earnings');
    const balance = async () => amount(await earnings.balance('lifetime').textContent());
    await expect.poll(balance, WAIT).toBeGreaterThan(lifetime);
    const perModel = async () =>
      (await earnings.chartValues('chart-earnings-model').allTextContents()).map(amount);
    await expect.poll(perModel, WAIT).toEqual([expect.any(Number)]);
    expect((await perModel())[0]).toBeGreaterThan(0);
    expect(await earnings.chartEmpty('chart-earnings-model').count()).toBe(0);
    const download = page.waitForEvent('download');
    await earnings.exportCsv();
    expect((await download).suggestedFilename()).toMatch(/^byoi-earnings-.*\.csv$/);

    const requests = new RequestsPage(page);
    await dashboard.go('requests');
    const total = async () => amount(await requests.totalRequests.textContent());
    await expect.poll(total, WAIT).toBeGreaterThanOrEqual(servedBefore + 3);
    const speeds = async () =>
      (await requests.chartValues('chart-tps').allTextContents()).map(amount);
    await expect.poll(async () => (await speeds()).some((v) => v > 0), WAIT).toBe(true);
    await expect.poll(() => requests.recentRows.count(), WAIT).toBeGreaterThan(0);
    const perBucket = (await requests.recentCounts.allTextContents()).map(amount);
    expect(perBucket.reduce((sum, value) => sum + value, 0)).toBeGreaterThanOrEqual(3);
  });

  it('theme and language are saved through the engine and applied, to reasons and diagnostics too', async () => {
    const settingsPage = new SettingsPage(page);
    const overview = new OverviewPage(page);
    await openDashboard();
    await dashboard.go('settings');
    expect(await settingsPage.version.textContent()).toMatch(/^\d+\.\d+\.\d+/);

    await settingsPage.setTheme('dark');
    await expect.poll(() => dashboard.theme(), WAIT).toBe('dark');
    await settingsPage.setLanguage('fr');
    await expect
      .poll(() => dashboard.navButton('overview').textContent(), WAIT)
      .toBe("Vue d'ensemble");
    expect((await callNode(harness.node.control, 'getSettings', {})).ui).toEqual({
      theme: 'dark',
      language: 'fr',
    });

    // The engine sends codes; the French dashboard says them in French.
    await dashboard.go('overview');
    const { schedule } = await callNode(harness.node.control, 'getStatus', {});
    const reasonInFrench = plainSpaces(reasonText(french, schedule.reasonCode, 'not translated'));
    expect(reasonInFrench).not.toBe(plainSpaces(reasonText(english, schedule.reasonCode, '')));
    await expect
      .poll(async () => plainSpaces(await overview.reason.textContent()), WAIT)
      .toBe(reasonInFrench);
    await overview.runDiagnostics();
    await overview.diagnosticChecks.waitFor();
    const checks = await callNode(harness.node.control, 'getDiagnostics', {});
    for (const check of checks) {
      const detail = plainSpaces(reasonText(french, check.detailCode, 'not translated'));
      expect(detail).not.toBe(plainSpaces(reasonText(english, check.detailCode, '')));
      expect(plainSpaces(await overview.diagnosticCheck(check.id).textContent())).toContain(detail);
    }
    await dashboard.go('settings');

    await settingsPage.setTheme('system');
    await settingsPage.setLanguage('system');
    await expect.poll(() => dashboard.navButton('overview').textContent(), WAIT).toBe('Overview');
    expect(await dashboard.theme()).toBe('light');
    expect((await callNode(harness.node.control, 'getSettings', {})).ui).toEqual({
      theme: 'system',
      language: 'system',
    });
  });

  it('why am I not earning: the checks, their export, and the models', async () => {
    const overview = new OverviewPage(page);
    await openDashboard();
    await overview.runDiagnostics();
    await overview.diagnosticChecks.waitFor();
    const checks = await callNode(harness.node.control, 'getDiagnostics', {});
    for (const check of checks) {
      expect(plainSpaces(await overview.diagnosticCheck(check.id).textContent())).toContain(
        plainSpaces(reasonText(english, check.detailCode, 'not translated')),
      );
    }
    const download = page.waitForEvent('download');
    await overview.exportDiagnostics();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^byoi-diagnostics-.*\.json$/);
    const bundle = JSON.parse(readFileSync(await file.path(), 'utf8')) as { status?: unknown };
    expect(bundle).toHaveProperty('status');

    const models = new ModelsPage(page);
    await dashboard.go('models');
    expect(await models.served(harness.demo.model).textContent()).toBe('Served');
    expect(await models.announced(harness.demo.model).textContent()).toBe('Offered to the network');
    const library = await callNode(harness.node.control, 'listModels', {});
    expect(await models.catalog.textContent()).toContain(library.catalog[0]?.name ?? '');
  });

  it('a model downloaded from an address installs, and then serves', async () => {
    // The tiny model again, under another name, from a local HTTP server.
    const file = await harness.serveModelCopy('tiny-copy');
    try {
      const models = new ModelsPage(page);
      await openDashboard();
      await dashboard.go('models');
      await models.downloadFrom(file.url);
      await expect.poll(() => models.downloadStates.allTextContents(), WAIT).toEqual(['Done']);
      expect(await models.downloadProgress.count()).toBe(1);
      await models.installed('tiny-copy').waitFor(WAIT);
      expect(await models.served('tiny-copy').textContent()).toBe('Not served');

      await models.toggleServing('tiny-copy');
      await expect.poll(() => models.served('tiny-copy').textContent(), WAIT).toBe('Served');
      const library = await callNode(harness.node.control, 'listModels', {});
      expect(library.installed).toEqual([
        expect.objectContaining({ id: 'tiny-copy', served: true }),
      ]);
      await expect
        .poll(() => models.announced('tiny-copy').textContent(), WAIT)
        .toBe('Offered to the network');
      await models.toggleServing('tiny-copy');
      await expect.poll(() => models.served('tiny-copy').textContent(), WAIT).toBe('Not served');
    } finally {
      await file.close();
    }
  });

  it('every screen, in both themes (screenshots)', async () => {
    await openDashboard();
    await new OverviewPage(page).runDiagnostics();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await expect.poll(() => dashboard.theme()).toBe(colorScheme);
      for (const screen of SCREENS) {
        await dashboard.go(screen);
        const path = `${SCREENSHOT_DIR}${colorScheme}-${screen}.png`;
        await dashboard.screenshot(path);
        expect(statSync(path).size).toBeGreaterThan(10_000);
      }
    }
  });
});
