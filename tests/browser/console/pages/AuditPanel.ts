/** The console's audit log screen, driven through its data-testids. */
import { readFile } from 'node:fs/promises';
import type { ConsolePage } from './ConsolePage.js';

export interface AuditFilterInput {
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: number | string;
}

export class AuditPanel {
  constructor(readonly console: ConsolePage) {}

  private byTestId(id: string) {
    return this.console.byTestId(id);
  }

  async open(): Promise<void> {
    await this.byTestId('nav-audit').click();
    await this.byTestId('audit-title').waitFor();
    await this.byTestId('audit-refresh').click();
    await this.waitForList();
  }

  private async waitForList(): Promise<void> {
    await this.byTestId('audit-table').or(this.byTestId('audit-empty')).first().waitFor();
  }

  private async fill(filter: AuditFilterInput): Promise<void> {
    await this.byTestId('audit-filter-actor').fill(filter.actor ?? '');
    await this.byTestId('audit-filter-action').fill(filter.action ?? '');
    await this.byTestId('audit-filter-since').fill(filter.since ?? '');
    await this.byTestId('audit-filter-until').fill(filter.until ?? '');
    await this.byTestId('audit-filter-limit').fill(
      filter.limit === undefined ? '' : String(filter.limit),
    );
  }

  /** Applies a filter; 'applied', or the error shown. */
  async filter(filter: AuditFilterInput): Promise<'applied' | string> {
    await this.fill(filter);
    await this.byTestId('audit-filter-submit').click();
    const done = this.byTestId('audit-filter-done');
    const error = this.byTestId('audit-filter-error');
    await done.or(error).first().waitFor();
    if (await error.isVisible()) return (await error.innerText()).trim();
    await this.console.page.getByTestId('loading').waitFor({ state: 'detached' });
    await this.waitForList();
    return 'applied';
  }

  /** The rows shown, newest first. */
  async entries(): Promise<{ actor: string; action: string; target: string }[]> {
    await this.waitForList();
    const rows = this.console.page.locator('[data-testid^="audit-row-"]:is(tr)');
    const out: { actor: string; action: string; target: string }[] = [];
    for (const row of await rows.all()) {
      const cell = async (id: string) => (await row.getByTestId(id).innerText()).trim();
      out.push({
        actor: await cell('audit-row-actor'),
        action: await cell('audit-row-action'),
        target: await cell('audit-row-target'),
      });
    }
    return out;
  }

  /** The actions shown, newest first. */
  async auditActions(): Promise<string[]> {
    return (await this.entries()).map((entry) => entry.action);
  }

  /** Exports the shown filter as CSV; the file's name and text. */
  async exportAuditCsv(): Promise<{ fileName: string; text: string }> {
    const download = this.console.page.waitForEvent('download');
    await this.byTestId('audit-export').click();
    const file = await download;
    const path = await file.path();
    return { fileName: file.suggestedFilename(), text: await readFile(path, 'utf8') };
  }

  async exportError(): Promise<string> {
    return (await this.byTestId('audit-export-error').innerText()).trim();
  }

  /** Fills the filter and clicks export (for a bad filter: the export is refused). */
  async exportWith(filter: AuditFilterInput): Promise<void> {
    await this.fill(filter);
    await this.byTestId('audit-export').click();
  }
}
