/** The gateway console, driven through its data-testids. */
import type { Page } from 'playwright-core';
import type { ConsoleScreen } from '../../../../renderer/src/console/stores/consoleNav.js';

export class ConsolePage {
  constructor(readonly page: Page) {}

  byTestId(id: string) {
    return this.page.getByTestId(id);
  }

  async signIn(secret: string): Promise<void> {
    await this.byTestId('console-signin-secret').fill(secret);
    await this.byTestId('console-signin-submit').click();
    await this.byTestId('console-signout').waitFor();
  }

  async createOrg(name: string): Promise<void> {
    await this.byTestId('org-create-name').fill(name);
    await this.byTestId('org-create-submit').click();
    await this.byTestId('org-picker-select')
      .locator('option', { hasText: name })
      .waitFor({ state: 'attached' });
  }

  async open(screen: ConsoleScreen): Promise<void> {
    await this.byTestId(`nav-${screen}`).click();
    await this.byTestId(`screen-${screen}`).waitFor();
  }

  /** Waits until nothing on the screen is still loading. */
  async settled(): Promise<void> {
    // `first()` is detached only once no loading state is left.
    await this.byTestId('loading').first().waitFor({ state: 'detached' });
  }

  /** Creates an API key; its secret, shown once. */
  async createKey(name: string): Promise<string> {
    await this.open('keys');
    await this.byTestId('keys-create-name').fill(name);
    await this.byTestId('keys-create-submit').click();
    return (await this.byTestId('keys-secret').innerText()).trim();
  }

  /** Creates an enrollment code; the command to paste, as shown. */
  async enrollCommand(): Promise<string> {
    await this.open('nodes');
    await this.byTestId('nodes-enroll-submit').click();
    return (await this.byTestId('nodes-enroll-command').innerText()).trim();
  }

  async setLook(theme: 'light' | 'dark', language: 'en' | 'fr'): Promise<void> {
    await this.byTestId('console-theme').selectOption(theme);
    await this.byTestId('console-language').selectOption(language);
  }
}
