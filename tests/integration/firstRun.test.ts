/**
 * A newcomer's first minutes on this machine, where the desktop app cannot start (no
 * Electron binary, no display): `npm start` (scripts/start.mjs) says why in one line, starts
 * the headless node and prints the dashboard's address, which Chromium opens on the setup
 * wizard. The node's checks that need no model (the data-folder lock, ports, the address
 * rule) answer before any model loads. Electron's fetch is pointed at a closed local port,
 * so nothing here can leave the machine.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDesktop } from '../../scripts/desktopCheck.mjs';
import { launchChromium } from '../browser/support/chromium.js';
import { DashboardPage } from '../browser/pages/DashboardPage.js';
import { OnboardingPage } from '../browser/pages/OnboardingPage.js';
import { runNode } from '../support/nodeProcess.js';

const root = join(import.meta.dirname, '..', '..');
/** Electron's downloader honours ELECTRON_MIRROR; port 9 (discard) is closed here. */
const DEAD_MIRROR = 'http://127.0.0.1:9/';

const hermeticEnv = (dataDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_MIRROR: DEAD_MIRROR, CI: '1' };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  env.BYOI_DATA_DIR = dataDir;
  return env;
};

describe('npm start where the desktop app cannot run', () => {
  let dir: string;
  let start: ChildProcessWithoutNullStreams;
  const lines: string[] = [];
  let dashboardURL: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'byoi-first-run-'));
    start = spawn(
      process.execPath,
      [
        join(root, 'scripts', 'start.mjs'),
        '--skip-build',
        '--control',
        '127.0.0.1:0',
        '--openai',
        '127.0.0.1:0',
        '--threads',
        '1',
      ],
      { cwd: root, env: hermeticEnv(join(dir, 'node')) },
    );
    const stderr: string[] = [];
    start.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = once(start, 'exit').then(([code]) => {
      throw new Error(
        `npm start exited (${String(code)}):\n${lines.join('\n')}\n${stderr.join('')}`,
      );
    });
    const dashboard = new Promise<string>((resolve) =>
      createInterface({ input: start.stdout }).on('line', (line) => {
        lines.push(line);
        const match = /^Dashboard: (\S+)$/.exec(line);
        if (match) resolve(match[1]!);
      }),
    );
    dashboardURL = await Promise.race([dashboard, exited]);
  });

  afterAll(async () => {
    if (start && start.exitCode === null) {
      start.kill('SIGTERM');
      await once(start, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('says why in one line, then prints the dashboard address with its token', () => {
    expect(lines[0]).toMatch(
      /^BYOI Node: the desktop app cannot start here: there is no display .*\. Starting the headless node and its dashboard instead\.$/,
    );
    expect(lines.some((line) => /^\s+at /.test(line))).toBe(false);
    expect(dashboardURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('Chromium opens the printed address on the setup wizard of the new node', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ locale: 'en-US' });
      const dashboard = new DashboardPage(page);
      await dashboard.open(dashboardURL);
      await new OnboardingPage(page).step('hardware').waitFor();
      expect(await dashboard.noAccess.count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('a second node on the same data folder stops at once, naming the first', async () => {
    const model = join(dir, 'not-a-model.gguf');
    writeFileSync(model, 'not a model');
    const second = await runNode(['--model', model], { BYOI_DATA_DIR: join(dir, 'node') });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Another byoi-node \(pid \d+\) is using the data folder/);
    // It never got as far as the model (which would fail as not GGUF).
    expect(second.stderr).not.toContain('GGUF');
  });

  it('refuses a busy port and an open address without a key before loading the model', async () => {
    const model = join(dir, 'bad.gguf');
    writeFileSync(model, 'not a model');
    const control = new URL(dashboardURL).host;
    const busy = await runNode(['--model', model, '--control', control, '--openai', '127.0.0.1:0']);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`${control} (--control) is in use`);
    const open = await runNode([
      '--model',
      model,
      '--openai',
      '0.0.0.0:0',
      '--control',
      '127.0.0.1:0',
    ]);
    expect(open.code).not.toBe(0);
    expect(open.stderr).toMatch(/api.key/i);
    for (const refused of [busy, open]) expect(refused.stderr).not.toContain('GGUF');
  });
});

describe("Electron's binary where it cannot be downloaded", () => {
  it('gives the cause in one sentence, without a stack', () => {
    const cache = mkdtempSync(join(tmpdir(), 'byoi-electron-cache-'));
    try {
      const said: string[] = [];
      const check = checkDesktop({
        root,
        platform: 'linux',
        env: { ...hermeticEnv(cache), DISPLAY: ':99', electron_config_cache: cache },
        say: (line) => said.push(line),
      });
      expect(check).toEqual({
        ok: false,
        reason:
          "Electron's binary could not be downloaded (fetch failed); once online, run 'npx install-electron'",
      });
      expect(said).toEqual(["Fetching Electron's binary (about 100 MB, once)…"]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
