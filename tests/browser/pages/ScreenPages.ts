/** Page objects for the dashboard's screens. */
import type { Locator, Page } from 'playwright-core';

export class OverviewPage {
  constructor(private readonly page: Page) {}

  get state(): Locator {
    return this.page.getByTestId('schedule-state');
  }

  get reason(): Locator {
    return this.page.getByTestId('schedule-reason');
  }

  get todayEarnings(): Locator {
    return this.page.getByTestId('overview-today');
  }

  get requests(): Locator {
    return this.page.getByTestId('overview-requests');
  }

  get linkState(): Locator {
    return this.page.getByTestId('overview-link-state');
  }

  get gpuPanel(): Locator {
    return this.page.getByTestId('gpu-panel');
  }

  get standingScore(): Locator {
    return this.page.getByTestId('standing-score');
  }

  get standingRank(): Locator {
    return this.page.getByTestId('standing-rank');
  }

  get standingTokens(): Locator {
    return this.page.getByTestId('standing-tokens');
  }

  get standingMilestone(): Locator {
    return this.page.getByTestId('standing-milestone');
  }

  get standingIncidents(): Locator {
    return this.page.getByTestId('standing-incident');
  }

  get diagnostics(): Locator {
    return this.page.getByTestId('diagnostics');
  }

  get gpuRows(): Locator {
    return this.page.getByTestId('gpu-row');
  }

  get diagnosticsError(): Locator {
    return this.diagnostics.getByTestId('error-message');
  }

  get diagnosticChecks(): Locator {
    return this.page.getByTestId('diagnostics-checks');
  }

  diagnosticCheck(id: string): Locator {
    return this.page.getByTestId(`check-${id}`);
  }

  async runDiagnostics(): Promise<void> {
    await this.page.getByTestId('diagnostics-run').click();
  }

  async exportDiagnostics(): Promise<void> {
    await this.page.getByTestId('diagnostics-export').click();
  }
}

export class SchedulePage {
  constructor(private readonly page: Page) {}

  async chooseMode(mode: 'idle' | 'always' | 'scheduled' | 'paused'): Promise<void> {
    await this.page.getByTestId(`mode-${mode}`).check();
  }

  modeRadio(mode: 'idle' | 'always' | 'scheduled' | 'paused'): Locator {
    return this.page.getByTestId(`mode-${mode}`);
  }

  get liveState(): Locator {
    return this.page.getByTestId('schedule-live-state');
  }

  get liveReason(): Locator {
    return this.page.getByTestId('schedule-live-reason');
  }

  async pauseForAnHour(): Promise<void> {
    await this.page.getByTestId('pause-hour').click();
  }

  async resume(): Promise<void> {
    await this.page.getByTestId('resume').click();
  }

  get pausedUntil(): Locator {
    return this.page.getByTestId('paused-until');
  }

  get decisions(): Locator {
    return this.page.getByTestId('decision-row');
  }

  async addOvernightWindow(): Promise<void> {
    await this.page.getByTestId('window-add').click();
  }

  get windowSpans(): Locator {
    return this.page.getByTestId('window-span');
  }

  async saveWindows(): Promise<void> {
    await this.page.getByTestId('windows-save').click();
  }

  get windowsSaved(): Locator {
    return this.page.getByTestId('windows-done');
  }

  get modeError(): Locator {
    return this.page.getByTestId('mode-error');
  }
}

export class PricingPage {
  constructor(private readonly page: Page) {}

  model(id: string): Locator {
    return this.page.getByTestId(`model-price-${id}`);
  }

  async setModelPrice(id: string, prompt: number, completion: number): Promise<void> {
    const card = this.model(id);
    await card.getByTestId('price-prompt').fill(String(prompt));
    await card.getByTestId('price-completion').fill(String(completion));
    await card.getByTestId('price-submit').click();
  }

  saved(id: string): Locator {
    return this.model(id).getByTestId('price-done');
  }

  marketMedians(id: string): Locator {
    return this.model(id).getByTestId('market-median');
  }
}

/** The hidden table each chart carries: its cells, formatted as on screen. */
function chartValues(page: Page, chart: string): Locator {
  return page.getByTestId(`${chart}-value`);
}

export class EarningsPage {
  constructor(private readonly page: Page) {}

  balance(key: 'pending' | 'settled' | 'today' | 'last7Days' | 'last30Days' | 'lifetime'): Locator {
    return this.page.getByTestId(`balance-${key}`);
  }

  chartValues(chart: 'chart-earnings-day' | 'chart-earnings-model'): Locator {
    return chartValues(this.page, chart);
  }

  chartEmpty(chart: 'chart-earnings-day' | 'chart-earnings-model'): Locator {
    return this.page.getByTestId(`${chart}-empty`);
  }

  async exportCsv(): Promise<void> {
    await this.page.getByTestId('export-csv').click();
  }
}

export class RequestsPage {
  constructor(private readonly page: Page) {}

  get totalRequests(): Locator {
    return this.page.getByTestId('total-requests');
  }

  chartValues(chart: 'chart-tps' | 'chart-ttft' | 'chart-requests' | 'chart-rejections'): Locator {
    return chartValues(this.page, chart);
  }

  get recentRows(): Locator {
    return this.page.getByTestId('recent-row');
  }

  get recentCounts(): Locator {
    return this.page.getByTestId('recent-requests-count');
  }

  async groupBy(bucket: 'minute' | 'hour' | 'day'): Promise<void> {
    await this.page.getByTestId(`bucket-${bucket}`).check();
  }
}

export class ModelsPage {
  constructor(private readonly page: Page) {}

  installed(id: string): Locator {
    return this.page.getByTestId(`installed-${id}`);
  }

  served(id: string): Locator {
    return this.installed(id).getByTestId('served');
  }

  announced(id: string): Locator {
    return this.installed(id).getByTestId('announced');
  }

  get catalog(): Locator {
    return this.page.getByTestId('catalog');
  }

  async downloadFrom(url: string): Promise<void> {
    await this.page.getByTestId('download-url-input').fill(url);
    await this.page.getByTestId('download-url-submit').click();
  }

  /** The state badge of each download, in order. */
  get downloadStates(): Locator {
    return this.page.getByTestId('downloads').getByTestId('download-state');
  }

  get downloadProgress(): Locator {
    return this.page.getByTestId('downloads').getByTestId('download-progress');
  }

  async toggleServing(id: string): Promise<void> {
    await this.installed(id).getByTestId('serve-toggle').click();
  }
}

export class SettingsPage {
  constructor(private readonly page: Page) {}

  async setTheme(theme: 'system' | 'light' | 'dark'): Promise<void> {
    await this.page.getByTestId('theme-select').selectOption(theme);
  }

  async setLanguage(language: 'system' | 'en' | 'fr'): Promise<void> {
    await this.page.getByTestId('language-select').selectOption(language);
  }

  get version(): Locator {
    return this.page.getByTestId('about-version');
  }

  get updateFeedURL(): Locator {
    return this.page.getByTestId('update-feed-url');
  }

  /** Where the app's last update check stands. */
  get updateState(): Locator {
    return this.page.getByTestId('update-state');
  }

  get logLines(): Locator {
    return this.page.getByTestId('log-lines');
  }

  get logs(): Locator {
    return this.page.getByTestId('logs');
  }
}
