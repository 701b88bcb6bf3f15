/** The console's limits, quotas and cache screen, driven through its data-testids. */
import type { ConsolePage } from './ConsolePage.js';

/** A scope select's value: the whole organization, or a key id. */
export type LimitScope = 'org' | { keyId: string };

const scopeValue = (scope: LimitScope) => (scope === 'org' ? '' : scope.keyId);
const rowId = (scope: LimitScope) => (scope === 'org' ? 'org' : scope.keyId);

export class LimitsPanel {
  constructor(readonly console: ConsolePage) {}

  private byTestId(id: string) {
    return this.console.byTestId(id);
  }

  async open(): Promise<void> {
    await this.byTestId('nav-limits').click();
    await this.byTestId('limits-title').waitFor();
  }

  /** Fills and submits the rate limit form; blank (null) removes that limit. Waits for the outcome. */
  async submitRateLimit(
    rpm: number | string | null,
    tpm: number | string | null = null,
    scope: LimitScope = 'org',
  ): Promise<'saved' | string> {
    await this.byTestId('limits-rate-scope').selectOption(scopeValue(scope));
    await this.byTestId('limits-rate-rpm').fill(rpm === null ? '' : String(rpm));
    await this.byTestId('limits-rate-tpm').fill(tpm === null ? '' : String(tpm));
    return this.submit('limits-rate');
  }

  /** Sets a rate limit and waits until the table shows it. */
  async setRateLimit(rpm: number, scope: LimitScope = 'org', tpm: number | null = null) {
    const outcome = await this.submitRateLimit(rpm, tpm, scope);
    if (outcome !== 'saved') throw new Error(`rate limit refused: ${outcome}`);
    await this.byTestId(`limits-rate-row-${rowId(scope)}`).waitFor();
  }

  async submitQuota(
    monthlyUsd: number | string | null,
    monthlyTokens: number | string | null = null,
    scope: LimitScope = 'org',
  ): Promise<'saved' | string> {
    await this.byTestId('limits-quota-scope').selectOption(scopeValue(scope));
    await this.byTestId('limits-quota-usd').fill(monthlyUsd === null ? '' : String(monthlyUsd));
    await this.byTestId('limits-quota-tokens').fill(
      monthlyTokens === null ? '' : String(monthlyTokens),
    );
    return this.submit('limits-quota');
  }

  async setQuota(quota: { usd?: number | null; tokens?: number | null; scope?: LimitScope }) {
    const outcome = await this.submitQuota(quota.usd ?? null, quota.tokens ?? null, quota.scope);
    if (outcome !== 'saved') throw new Error(`quota refused: ${outcome}`);
  }

  /** A quota meter's level ('ok', 'warning', 'reached') and percent text, after a refresh. */
  async quotaMeter(what: 'usd' | 'tokens', scope: LimitScope = 'org') {
    await this.byTestId('limits-quota-refresh').click();
    const meter = this.byTestId(`limits-quota-${what}-${rowId(scope)}`);
    await meter.waitFor();
    return {
      level: await meter.getAttribute('data-level'),
      percent: (
        await this.byTestId(`limits-quota-${what}-${rowId(scope)}-percent`).innerText()
      ).trim(),
      text: (await meter.innerText()).trim(),
    };
  }

  async submitCache(policy: {
    enabled: boolean;
    ttlSeconds: number | string;
    charge?: 'full' | 'none';
  }): Promise<'saved' | string> {
    await this.byTestId('limits-cache-enabled').setChecked(policy.enabled);
    await this.byTestId('limits-cache-ttl').fill(String(policy.ttlSeconds));
    await this.byTestId('limits-cache-charge').selectOption(policy.charge ?? 'full');
    return this.submit('limits-cache');
  }

  async setCachePolicy(policy: { enabled: boolean; ttlSeconds: number; charge?: 'full' | 'none' }) {
    const outcome = await this.submitCache(policy);
    if (outcome !== 'saved') throw new Error(`cache policy refused: ${outcome}`);
  }

  /** The hit rate shown after a refresh (poll it: the refresh keeps the old figure until done). */
  async cacheHitRate(): Promise<string> {
    await this.byTestId('limits-cache-refresh').click();
    return (await this.byTestId('limits-cache-hit-rate').innerText()).trim();
  }

  /** Clicks `${form}-submit` and waits for this submit's outcome: 'saved', or the error shown. */
  private async submit(form: string): Promise<'saved' | string> {
    const button = this.byTestId(`${form}-submit`);
    const before = Number(await button.getAttribute('data-attempts'));
    await button.click();
    const settled = `[data-testid="${form}-submit"][data-attempts="${before + 1}"]`;
    await this.console.page
      .locator(`${settled}[data-outcome="done"], ${settled}[data-outcome="error"]`)
      .waitFor();
    if ((await button.getAttribute('data-outcome')) === 'done') return 'saved';
    return (await this.byTestId(`${form}-error`).innerText()).trim();
  }
}
