/**
 * The gateway console in real Chromium against a real gateway: the operator signs in,
 * creates an organization, an API key (its secret shown once, and it works against the
 * client API) and an enrollment code whose command names this gateway; an org admin signs
 * in and sees only its own organization; an expired session goes back to sign-in.
 * Screenshots of each screen, light and dark, English and French, go to screenshots-out/.
 */
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../../gateway/server.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { ConsolePage } from './pages/ConsolePage.js';

const ADMIN_TOKEN = 'console-e2e-admin-token-0123456789';
let gateway: RunningGateway;
let browser: Browser;
let now = Date.now();

beforeAll(async () => {
  gateway = await startGateway({
    dataDir: null,
    port: 0,
    adminToken: ADMIN_TOKEN,
    wallClock: () => now,
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

async function openConsole(): Promise<{ context: BrowserContext; console: ConsolePage }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${gateway.url}/console/`);
  return { context, console: new ConsolePage(page) };
}

describe('the gateway console', () => {
  it('lets the operator create an org, an API key and an enrollment code', async () => {
    const { context, console } = await openConsole();
    await console.signIn(ADMIN_TOKEN);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'byoi_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await console.createOrg('Lab A');
    const secret = await console.createKey('app');
    expect(secret).toMatch(/^byoi-sk-/);
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: secret });
    expect((await client.models.list()).data).toEqual([]);
    const command = await console.enrollCommand();
    expect(command).toMatch(
      new RegExp(`^byoi-node enroll --gateway ${gateway.url} --code byoi-enroll-`),
    );
    const dir = screenshotDir();
    for (const theme of ['light', 'dark'] as const) {
      for (const language of ['en', 'fr'] as const) {
        await console.setLook(theme, language);
        for (const screen of ['keys', 'nodes'] as const) {
          await console.open(screen);
          await console.page.screenshot({
            path: join(dir, `console-${screen}-${theme}-${language}.png`),
            fullPage: true,
          });
        }
      }
    }
    await context.close();
  });

  it('shows an org admin only its own organization', async () => {
    const org = await gateway.store.createOrg('Lab B');
    const other = await gateway.store.createOrg('Lab C');
    await gateway.store.createApiKey(other.id, 'theirs');
    const { key } = await gateway.store.createOrgAdminKey(org.id, 'alice');
    const { context, console } = await openConsole();
    await console.signIn(key);
    await expect.poll(() => console.byTestId('console-org-name').innerText()).toContain('Lab B');
    expect(await console.byTestId('org-picker').count()).toBe(0);
    await console.createKey('mine');
    const rows = console.page.locator('[data-testid^="keys-row-"]');
    // The list reloads after the secret shows: wait for the new row, then count.
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await console.page.content()).not.toContain('theirs');
    await context.close();
  });

  it('sends an expired session back to sign-in', async () => {
    const { context, console } = await openConsole();
    await console.signIn(ADMIN_TOKEN);
    now += 9 * 60 * 60 * 1000;
    await console.page.reload();
    await console.byTestId('console-signin-expired').waitFor();
    await console.byTestId('console-signin-secret').waitFor();
    await context.close();
  });
});
