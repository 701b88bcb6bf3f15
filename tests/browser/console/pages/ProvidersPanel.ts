/** The console's providers screen, driven through its data-testids. */
import type { Locator } from 'playwright-core';
import type { ConsolePage } from './ConsolePage.js';

export interface ProviderInput {
  name: string;
  baseUrl: string;
  /** One key, or several (one a line in the form). */
  key?: string;
  keys?: string[];
  /** Model ids, or `client = provider` lines. */
  models: string[];
  price?: { prompt: number | string; completion: number | string };
  cost?: { prompt: number | string; completion: number | string };
  maxConcurrent?: number;
}

export type FormOutcome = { ok: true } | { ok: false; message: string };

export class ProvidersPanel {
  constructor(readonly console: ConsolePage) {}

  private id(testId: string): Locator {
    return this.console.byTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-providers').click();
    await this.id('screen-providers').waitFor();
    await this.id('providers-title').waitFor();
  }

  /** Waits for the form's outcome: saved, or its error message. */
  private async outcome(): Promise<FormOutcome> {
    const done = this.id('providers-form-done');
    const error = this.id('providers-form-error');
    await done.or(error).first().waitFor();
    if (await error.isVisible()) return { ok: false, message: (await error.innerText()).trim() };
    return { ok: true };
  }

  private async fill(input: Partial<ProviderInput>): Promise<void> {
    if (input.name !== undefined) await this.id('providers-form-name').fill(input.name);
    if (input.baseUrl !== undefined) await this.id('providers-form-baseurl').fill(input.baseUrl);
    const keys = input.keys ?? (input.key !== undefined ? [input.key] : undefined);
    if (keys) await this.id('providers-form-keys').fill(keys.join('\n'));
    if (input.models) await this.id('providers-form-models').fill(input.models.join('\n'));
    if (input.price) {
      await this.id('providers-form-price-prompt').fill(String(input.price.prompt));
      await this.id('providers-form-price-completion').fill(String(input.price.completion));
    }
    if (input.cost) {
      await this.id('providers-form-cost-prompt').fill(String(input.cost.prompt));
      await this.id('providers-form-cost-completion').fill(String(input.cost.completion));
    }
    if (input.maxConcurrent !== undefined)
      await this.id('providers-form-max-concurrent').fill(String(input.maxConcurrent));
  }

  /** Fills the add form (price 1 / 2 unless given) and submits it. */
  async addProvider(input: ProviderInput): Promise<FormOutcome> {
    await this.fill({ price: { prompt: 1, completion: 2 }, ...input });
    await this.id('providers-form-submit').click();
    const result = await this.outcome();
    if (result.ok) await this.row(input.name).waitFor();
    return result;
  }

  /** Opens the edit form of `name`, changes the fields given and saves. */
  async editProvider(name: string, changes: Partial<Omit<ProviderInput, 'name'>>) {
    await this.id(`providers-edit-${name}`).click();
    await this.id('providers-form-name-fixed').filter({ hasText: name }).waitFor();
    await this.fill(changes);
    await this.id('providers-form-submit').click();
    return this.outcome();
  }

  /** Leaves the edit form for the add form. */
  async closeEdit(): Promise<void> {
    await this.id('providers-form-cancel').click();
    await this.id('providers-form-name').waitFor();
  }

  row(name: string): Locator {
    return this.id(`providers-row-${name}`);
  }

  /** The state badge: Healthy, Disabled, Failing… */
  async state(name: string): Promise<string> {
    return (await this.id(`providers-state-${name}`).innerText()).trim();
  }

  /** Each key as shown (masked) with its health. */
  async keys(name: string): Promise<{ masked: string; state: string }[]> {
    const masked = this.row(name).locator(`[data-testid^="providers-key-${name}-"]`);
    const out: { masked: string; state: string }[] = [];
    for (let index = 0; index < (await masked.count()); index++) {
      out.push({
        masked: (await this.id(`providers-key-${name}-${index}`).innerText()).trim(),
        state: (await this.id(`providers-key-state-${name}-${index}`).innerText()).trim(),
      });
    }
    return out;
  }

  /** Disables an enabled provider or enables a disabled one; waits for the new state. */
  async toggle(name: string): Promise<void> {
    const button = this.id(`providers-toggle-${name}`);
    const before = (await button.innerText()).trim();
    await button.click();
    await button.filter({ hasNotText: before }).waitFor();
  }

  /** Removes through the two-step confirm. */
  async remove(name: string): Promise<void> {
    await this.id(`providers-remove-${name}`).click();
    await this.id(`providers-remove-confirm-${name}`).click();
    await this.row(name).waitFor({ state: 'detached' });
  }
}
