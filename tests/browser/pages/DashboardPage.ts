import type { Locator, Page } from 'playwright-core';

/** The dashboard's screens, as the left navigation names them. */
export const SCREENS = [
  'overview',
  'schedule',
  'pricing',
  'earnings',
  'requests',
  'models',
  'settings',
] as const;
export type ScreenName = (typeof SCREENS)[number];

/** Page object for the dashboard shell; page objects are the only place that knows locators. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  /** Opens the dashboard and waits until React has rendered its title. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.title.waitFor({ state: 'visible' });
  }

  get title(): Locator {
    return this.page.getByTestId('app-title');
  }

  get noAccess(): Locator {
    return this.page.getByTestId('no-access');
  }

  get connectionBanner(): Locator {
    return this.page.getByTestId('connection-banner');
  }

  /** "Update required" and "Restart to update". */
  get updateBanner(): Locator {
    return this.page.getByTestId('update-banner');
  }

  get restartToUpdate(): Locator {
    return this.page.getByTestId('restart-to-update');
  }

  get onboarding(): Locator {
    return this.page.getByTestId('onboarding');
  }

  navButton(screen: ScreenName): Locator {
    return this.page.getByTestId(`nav-${screen}`);
  }

  screen(screen: ScreenName): Locator {
    return this.page.getByTestId(`screen-${screen}`);
  }

  get screenTitle(): Locator {
    return this.page.getByTestId('screen-title');
  }

  /** The first error message on screen. */
  get error(): Locator {
    return this.page.getByTestId('error-message').first();
  }

  /** Goes to a screen through the left navigation and waits until it has loaded. */
  async go(screen: ScreenName): Promise<void> {
    await this.navButton(screen).click();
    await this.screen(screen).waitFor();
    await this.screenTitle.waitFor();
    await this.settled();
  }

  /** Waits until no loading indicator is left on screen. */
  async settled(timeoutMs = 20_000): Promise<void> {
    const loading = this.page.getByTestId('loading');
    const deadline = Date.now() + timeoutMs;
    while ((await loading.count()) > 0) {
      if (Date.now() > deadline) throw new Error('the screen is still loading');
      await loading
        .first()
        .waitFor({ state: 'detached', timeout: Math.max(1, deadline - Date.now()) });
    }
  }

  /** The theme the page applied (`html[data-theme]`). */
  theme(): Promise<string | null> {
    return this.page.evaluate('document.documentElement.dataset.theme ?? null') as Promise<
      string | null
    >;
  }

  /** The element that has the keyboard focus, by its test id. */
  focusedTestId(): Promise<string | null> {
    return this.page.evaluate(
      "document.activeElement?.getAttribute('data-testid') ?? null",
    ) as Promise<string | null>;
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
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

  /** Tries a WebSocket to another origin; resolves with the CSP directive that blocked it, if any. */
  async foreignSocketBlockedBy(url: string): Promise<string | null> {
    return (await this.page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
      try { new WebSocket(${JSON.stringify(url)}); } catch (error) { resolve('threw'); }
      setTimeout(() => resolve(null), 2000);
    })`)) as string | null;
  }
}
