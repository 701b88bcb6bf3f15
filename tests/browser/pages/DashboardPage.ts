import type { Locator, Page } from 'playwright-core';

/** Page object for the dashboard; the only place that knows its locators. */
export class DashboardPage {
  constructor(private readonly page: Page) {}

  /** Opens the dashboard and waits until React has rendered the title. */
  async open(baseUrl: string): Promise<void> {
    await this.page.goto(baseUrl);
    await this.title.waitFor({ state: 'visible' });
  }

  get title(): Locator {
    return this.page.getByTestId('app-title');
  }

  /** The policy from the CSP meta tag, or null when the tag is missing. */
  async contentSecurityPolicy(): Promise<string | null> {
    const meta = this.page.locator('meta[http-equiv="Content-Security-Policy"]');
    return (await meta.count()) === 0 ? null : meta.getAttribute('content');
  }

  /** Appends an inline <script> and reports whether it ran (a strict CSP blocks it). */
  async inlineScriptRuns(): Promise<boolean> {
    // A string, not a function: the node tsconfig has no DOM lib, and this runs in the page.
    const ran = await this.page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__byoiInlineScriptRan = true;';
      document.head.append(script);
      return window.__byoiInlineScriptRan === true;
    })()`);
    return ran === true;
  }
}
