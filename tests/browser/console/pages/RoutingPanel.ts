/** The console's routing-rules screen, driven through its data-testids. */
import type { Locator } from 'playwright-core';
import type { ConsolePage } from './ConsolePage.js';
import type { FormOutcome } from './ProvidersPanel.js';

export type Strategy = 'cheapest' | 'fastest' | 'balanced' | 'pinned';

export interface RuleInput {
  /** A model id; empty or `*` for the default rule. */
  model: string;
  strategy: Strategy;
  /** Allowed routes in fallback order; null or absent = every route. */
  routes?: string[] | null;
  /** For `balanced`. */
  weights?: Record<string, number | string>;
  /** USD per 1M tokens: one figure for both, or each. */
  priceCeiling?: number | string | { prompt: number | string; completion: number | string } | null;
}

export class RoutingPanel {
  constructor(readonly console: ConsolePage) {}

  private id(testId: string): Locator {
    return this.console.byTestId(testId);
  }

  async open(): Promise<void> {
    await this.id('nav-routing').click();
    await this.id('screen-routing').waitFor();
    await this.id('routing-editor').waitFor();
  }

  /** Fills the editor (from a new rule) without saving. */
  async fillRule(input: RuleInput): Promise<void> {
    const fresh = this.id('routing-new');
    if (await fresh.isVisible()) await fresh.click();
    await this.id('routing-model').fill(input.model === '*' ? '' : input.model);
    await this.id('routing-strategy').selectOption(input.strategy);
    const every = this.id('routing-every-route');
    const routes = input.routes ?? null;
    await every.setChecked(routes === null);
    if (routes) {
      const listed = this.console.page.locator('[data-testid^="routing-remove-"]');
      while ((await listed.count()) > 0) await listed.first().click();
      for (const route of routes) {
        await this.id('routing-add-select').selectOption(route);
        await this.id('routing-add-submit').click();
        await this.id(`routing-route-${route}`).waitFor();
      }
      for (const [route, weight] of Object.entries(input.weights ?? {}))
        await this.id(`routing-weight-${route}`).fill(String(weight));
    }
    const ceiling = input.priceCeiling ?? null;
    const [prompt, completion] =
      ceiling === null
        ? ['', '']
        : typeof ceiling === 'object'
          ? [String(ceiling.prompt), String(ceiling.completion)]
          : [String(ceiling), String(ceiling)];
    await this.id('routing-ceiling-prompt').fill(prompt);
    await this.id('routing-ceiling-completion').fill(completion);
  }

  /** Saves the editor as it is; saved, or its error message. */
  async save(): Promise<FormOutcome> {
    await this.id('routing-save-submit').click();
    const done = this.id('routing-save-done');
    const error = this.id('routing-save-error');
    await done.or(error).first().waitFor();
    if (await error.isVisible()) return { ok: false, message: (await error.innerText()).trim() };
    return { ok: true };
  }

  /** Fills and saves a rule; once saved, waits for it in the list. */
  async setRule(input: RuleInput): Promise<FormOutcome> {
    await this.fillRule(input);
    const result = await this.save();
    if (result.ok) await this.rule(input.model || '*').waitFor();
    return result;
  }

  /** The editor's plain-language preview. */
  async preview(): Promise<string> {
    return (await this.id('routing-preview').innerText()).trim();
  }

  /** The listed routes, in fallback order. */
  async routeOrder(): Promise<string[]> {
    const items = this.console.page.locator('[data-testid^="routing-route-"]');
    const ids = await items.evaluateAll((nodes) =>
      nodes.map((node) => node.getAttribute('data-testid') ?? ''),
    );
    return ids.filter((id) => id !== 'routing-route-list').map((id) => id.slice(14));
  }

  /** One of the org's saved rules (`*` for the default one). */
  rule(model: string): Locator {
    return this.id(`routing-rule-${model}`);
  }

  async ruleText(model: string): Promise<string> {
    return (await this.id(`routing-rule-text-${model}`).innerText()).trim();
  }

  async editRule(model: string): Promise<void> {
    await this.id(`routing-rule-edit-${model}`).click();
    await this.id('routing-new').waitFor();
  }

  async removeRule(model: string): Promise<void> {
    await this.id(`routing-rule-remove-${model}`).click();
    await this.id(`routing-rule-remove-confirm-${model}`).click();
    await this.rule(model).waitFor({ state: 'detached' });
  }
}
