/** The console's usage screen (report, CSV export, route comparison), through its testids. */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type { ConsolePage } from './ConsolePage.js';

export type UsageBy = 'model' | 'route' | 'key' | 'node';

/** One row of the usage table as shown (figures as text, in the page's locale). */
export interface ShownUsageRow {
  group: string;
  requests: string;
  errors: string;
  prompt: string;
  completion: string;
  cost: string;
}

export interface ShownCompareRow {
  route: string;
  status: string;
  latency: string;
  cost: string;
}

export class UsagePanel {
  readonly page: Page;

  constructor(readonly console: ConsolePage) {
    this.page = console.page;
  }

  private id(testId: string) {
    return this.page.getByTestId(testId);
  }

  /** Submits a form and waits for the outcome of this submit (not an earlier one's). */
  private async submit(form: 'usage-report' | 'usage-compare'): Promise<string> {
    const element = this.id(`${form}-form`);
    const before = Number(await element.getAttribute('data-submits'));
    await this.id(`${form}-submit`).click();
    const next = `[data-testid="${form}-form"][data-submits="${before + 1}"]`;
    await this.page.locator(`${next}[data-state="done"], ${next}[data-state="error"]`).waitFor();
    return (await element.getAttribute('data-state')) ?? '';
  }

  async open(): Promise<void> {
    await this.id('nav-usage').click();
    await this.id('screen-usage').waitFor();
    await this.id('usage-title').waitFor();
  }

  /** Asks for a report; resolves once the gateway answered (rows, empty, or an error). */
  async showReport(
    options: { by?: UsageBy; days?: number | string; since?: string; until?: string } = {},
  ): Promise<void> {
    if (options.by) await this.id('usage-by').selectOption(options.by);
    if (options.days !== undefined) await this.id('usage-days').fill(String(options.days));
    await this.id('usage-since').fill(options.since ?? '');
    await this.id('usage-until').fill(options.until ?? '');
    await this.submit('usage-report');
  }

  /** The report's error as shown, or null. */
  async reportError(): Promise<string | null> {
    const error = this.id('usage-report-error');
    return (await error.count()) ? (await error.innerText()).trim() : null;
  }

  /** The usage table's rows, after showing the report grouped by `by` (when given). */
  async usageRows(by?: UsageBy, days?: number): Promise<ShownUsageRow[]> {
    if (by || days !== undefined) await this.showReport({ by, days });
    const rows = this.id('usage-row');
    const shown: ShownUsageRow[] = [];
    for (const row of await rows.all()) {
      const cell = async (name: string) =>
        (await row.getByTestId(`usage-row-${name}`).innerText()).trim();
      shown.push({
        group: await cell('group'),
        requests: await cell('requests'),
        errors: await cell('errors'),
        prompt: await cell('prompt'),
        completion: await cell('completion'),
        cost: await cell('cost'),
      });
    }
    return shown;
  }

  /** Clicks Export CSV; the downloaded file's name and text. */
  async exportCsv(): Promise<{ fileName: string; text: string }> {
    const download = this.page.waitForEvent('download');
    await this.id('usage-export').click();
    const file = await download;
    const path = await file.path();
    return { fileName: file.suggestedFilename(), text: await readFile(path, 'utf8') };
  }

  /** The figures of one chart's accessible table, as shown. */
  chartValues(chart: 'tokens' | 'cost') {
    return this.id(`usage-chart-${chart}-value`);
  }

  /**
   * Runs a comparison; `routes` are route ids to keep ticked (all the model's routes when
   * absent). Resolves with the result rows, or [] when it was refused (see `compareError`).
   */
  async compare(options: {
    model?: string;
    prompt: string;
    routes?: string[];
    maxTokens?: number | string;
  }): Promise<ShownCompareRow[]> {
    await this.id('usage-compare-model').selectOption(options.model ?? '');
    await this.id('usage-compare-prompt').fill(options.prompt);
    if (options.maxTokens !== undefined)
      await this.id('usage-compare-max-tokens').fill(String(options.maxTokens));
    const boxes = this.page.locator('[data-testid^="usage-compare-route-"]');
    for (const box of await boxes.all()) {
      const id = (await box.getAttribute('data-testid'))!.slice('usage-compare-route-'.length);
      await box.setChecked(!options.routes || options.routes.includes(id));
    }
    if ((await this.submit('usage-compare')) === 'error') return [];
    const shown: ShownCompareRow[] = [];
    for (const row of await this.id('usage-compare-row').all()) {
      const cell = async (name: string) =>
        (await row.getByTestId(`usage-compare-row-${name}`).innerText()).trim();
      shown.push({
        route: await cell('route'),
        status: await cell('status'),
        latency: await cell('latency'),
        cost: await cell('cost'),
      });
    }
    return shown;
  }

  /** The comparison's error as shown, or null. */
  async compareError(): Promise<string | null> {
    const error = this.id('usage-compare-error');
    return (await error.count()) ? (await error.innerText()).trim() : null;
  }
}
