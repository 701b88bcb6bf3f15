/** The console's overview screen (today's tiles, daily charts, routes, nodes), through its testids. */
import type { Page } from 'playwright-core';
import type { ConsolePage } from './ConsolePage.js';

export interface ShownTiles {
  requests: string;
  tokens: string;
  cost: string;
  errors: string;
}

export class OverviewPanel {
  readonly page: Page;

  constructor(readonly console: ConsolePage) {
    this.page = console.page;
  }

  private id(testId: string) {
    return this.page.getByTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-overview').click();
    await this.id('screen-overview').waitFor();
    await this.id('overview-today').waitFor();
  }

  /** Reloads the figures (the Refresh button) and waits for the tiles. */
  async refresh(): Promise<void> {
    await this.id('overview-refresh').click();
    await this.id('overview-today').waitFor();
  }

  /** Today's tiles, as shown. */
  async overviewTiles(): Promise<ShownTiles> {
    await this.id('overview-today').waitFor();
    const tile = async (name: keyof ShownTiles) =>
      (await this.id(`overview-tile-${name}`).innerText()).trim();
    return {
      requests: await tile('requests'),
      tokens: await tile('tokens'),
      cost: await tile('cost'),
      errors: await tile('errors'),
    };
  }

  /** Switches the charts to the last 7 or 30 days. */
  async period(days: 7 | 30): Promise<void> {
    await this.id(`overview-period-${days}`).check();
  }

  /** One chart's accessible figures, in row order then series order. */
  chartValues(chart: 'requests' | 'tokens' | 'cost') {
    return this.id(`overview-chart-${chart}-value`);
  }

  /** How many day rows a chart has. */
  async chartDays(chart: 'requests' | 'tokens' | 'cost'): Promise<number> {
    return this.id(`overview-chart-${chart}-table`).locator('tbody tr').count();
  }

  /** The routes listed, with their health as shown. */
  async routes(): Promise<{ id: string; state: string; error: string }[]> {
    const rows = await this.id('overview-route').all();
    return Promise.all(
      rows.map(async (row) => ({
        id: (await row.getAttribute('data-route')) ?? '',
        state: (await row.getByTestId('overview-route-state').innerText()).trim(),
        error: (await row.getByTestId('overview-route-error').innerText()).trim(),
      })),
    );
  }

  /** "n of m nodes online", or the no-nodes text. */
  async nodesText(): Promise<string> {
    const count = this.id('overview-nodes-count');
    const empty = this.id('overview-nodes-empty');
    await count.or(empty).first().waitFor();
    return ((await count.count()) ? await count.innerText() : await empty.innerText()).trim();
  }

  /** The getting-started card a new organization sees. */
  get gettingStarted() {
    return this.id('overview-empty');
  }

  /** Follows one of the getting-started steps. */
  async startStep(step: 'key' | 'provider' | 'node'): Promise<void> {
    await this.id(`overview-start-${step}`).click();
  }
}
