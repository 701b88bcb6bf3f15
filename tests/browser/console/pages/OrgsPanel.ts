/** The console's organizations screen (operator only), driven through its data-testids. */
import type { ConsolePage } from './ConsolePage.js';

export class OrgsPanel {
  constructor(readonly console: ConsolePage) {}

  private byTestId(id: string) {
    return this.console.byTestId(id);
  }

  /** Whether the navigation offers the screen (it does to the operator only). */
  async visible(): Promise<boolean> {
    await this.byTestId('nav-keys').waitFor();
    return (await this.byTestId('nav-orgs').count()) > 0;
  }

  /** Opens the screen (or, when it shows already, reloads what it shows). */
  async open(): Promise<void> {
    await this.byTestId('nav-orgs').click();
    await this.byTestId('organizations-title').waitFor();
    await this.byTestId('organizations-refresh').click();
    await this.console.page.getByTestId('loading').first().waitFor({ state: 'detached' });
    await this.rows().first().or(this.byTestId('organizations-empty')).first().waitFor();
  }

  private rows() {
    return this.console.page.locator('tr[data-testid^="organizations-row-"]');
  }

  private row(name: string) {
    return this.console.page.locator(`tr[data-testid^="organizations-row-"][data-name="${name}"]`);
  }

  /** Submits the create form; 'created', or the error shown. */
  async submitOrg(name: string): Promise<'created' | string> {
    await this.byTestId('organizations-create-name').fill(name);
    await this.byTestId('organizations-create-submit').click();
    const done = this.byTestId('organizations-create-done');
    const error = this.byTestId('organizations-create-error');
    await done.or(error).first().waitFor();
    if (await error.isVisible()) return (await error.innerText()).trim();
    return 'created';
  }

  /** Creates an organization and waits for its row; its id. */
  async createOrg(name: string): Promise<string> {
    const outcome = await this.submitOrg(name);
    if (outcome !== 'created') throw new Error(`organization refused: ${outcome}`);
    const row = this.row(name);
    await row.waitFor();
    return ((await row.getAttribute('data-testid')) ?? '').replace('organizations-row-', '');
  }

  /** The names of the organizations listed. */
  async orgNames(): Promise<string[]> {
    await this.rows().first().waitFor();
    return this.rows().evaluateAll((rows) =>
      rows.map((row) => row.getAttribute('data-name') ?? ''),
    );
  }

  /** Shows the admin keys of the organization named `orgName`. */
  async manage(orgName: string): Promise<void> {
    const row = this.row(orgName);
    const button = row.locator('[data-testid^="organizations-select-"]');
    if (await button.isEnabled()) await button.click();
    await this.byTestId('organizations-keys').filter({ hasText: orgName }).waitFor();
  }

  /** Creates an org admin key for `orgName`; its secret, shown once. */
  async createAdminKey(orgName: string, keyName = 'admin'): Promise<string> {
    await this.manage(orgName);
    await this.byTestId('organizations-key-name').fill(keyName);
    await this.byTestId('organizations-key-create-submit').click();
    return (await this.byTestId('organizations-key-secret').innerText()).trim();
  }

  /** The admin key's last-used cell. */
  async lastUsed(keyId: string): Promise<string> {
    await this.byTestId('organizations-refresh').click();
    await this.byTestId(`organizations-key-used-${keyId}`).waitFor();
    return (await this.byTestId(`organizations-key-used-${keyId}`).innerText()).trim();
  }

  /** Revokes an admin key with the two-step confirm; waits for the row to say revoked. */
  async revokeAdminKey(keyId: string): Promise<void> {
    await this.byTestId(`organizations-key-revoke-${keyId}`).click();
    await this.byTestId(`organizations-key-confirm-${keyId}`).click();
    await this.byTestId('organizations-keys-show-revoked').check();
    await this.console.page
      .locator(`[data-testid="organizations-key-state-${keyId}"].paused`)
      .waitFor();
  }
}
