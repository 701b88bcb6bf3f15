/**
 * The real app under Playwright's `_electron`, where Electron's binary is installed. On
 * these build machines it is not (no download is possible), so the suite is skipped and its
 * title says why. Run `npm run build` first; the app is launched from out/.
 *
 * Whether the binary exists is checked without `require('electron')`: that module tries
 * to download the binary when it is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleModeSchema } from '../../common/settings.js';
import { createBridge, type IpcRendererLike } from '../../preload/bridge.js';

const root = join(import.meta.dirname, '..', '..');
export const NO_ELECTRON_REASON =
  "Electron's binary is not installed here (no download possible); run on a machine with it";

/** The Electron executable, or null when it is not installed. */
function electronBinary(): string | null {
  const packageDir = join(root, 'node_modules', 'electron');
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile) && !override) return null;
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const binary = override ? join(override, relative) : join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

/** An ipcRenderer that is never called: only the bridge's shape is read from it. */
const NO_IPC: IpcRendererLike = {
  invoke: () => Promise.reject(new Error('not connected')),
  on: () => undefined,
  removeListener: () => undefined,
};

describe.skipIf(binary === null)(
  binary === null ? `the Electron app (skipped: ${NO_ELECTRON_REASON})` : 'the Electron app',
  () => {
    let app: ElectronApplication;
    let page: Page;
    let userData: string;

    beforeAll(async () => {
      if (!existsSync(join(root, 'out', 'main', 'electron.js'))) {
        throw new Error('out/main/electron.js is missing: run `npm run build` first');
      }
      userData = await mkdtemp(join(tmpdir(), 'byoi-e2e-'));
      const { _electron } = await import('playwright-core');
      app = await _electron.launch({
        executablePath: binary!,
        args: [root, `--user-data-dir=${userData}`],
        env: { ...process.env, ELECTRON_RENDERER_URL: '' },
      });
      page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
    });

    afterAll(async () => {
      await app?.close();
      if (userData) await rm(userData, { recursive: true, force: true });
    });

    it('exposes window.byoi with named verbs only, and no Node', async () => {
      const shape = await page.evaluate(() => {
        const globals = globalThis as unknown as Record<string, unknown>;
        const byoi = globals['byoi'] as Record<string, unknown>;
        return {
          keys: Object.keys(byoi).sort(),
          require: typeof globals['require'],
          process: typeof globals['process'],
        };
      });
      // The bridge the preload builds is the one source of its keys.
      expect(shape.keys).toEqual(Object.keys(createBridge(NO_IPC, '0', 'linux')).sort());
      expect(shape.require).toBe('undefined');
      expect(shape.process).toBe('undefined');
    });

    it('refuses unknown verbs and bad arguments with the parameter named', async () => {
      const errors = await page.evaluate(async () => {
        const byoi = (
          globalThis as unknown as { byoi: { call(v: string, a: unknown): Promise<unknown> } }
        ).byoi;
        const message = (promise: Promise<unknown>) =>
          promise.then(
            () => 'resolved',
            (error: Error) => error.message,
          );
        return [
          await message(byoi.call('rmRf', {})),
          await message(byoi.call('setMode', { mode: 'turbo' })),
        ];
      });
      expect(errors[0]).toContain("Unknown verb 'rmRf'");
      expect(errors[1]).toContain("'mode'");
    });

    it('reaches the engine process: getStatus answers once the engine runs', async () => {
      const status = await page.evaluate(async () => {
        const byoi = (
          globalThis as unknown as {
            byoi: {
              engineState(): Promise<{ state: string }>;
              onEngineState(listener: (state: { state: string }) => void): () => void;
              call(verb: string, args: unknown): Promise<unknown>;
            };
          }
        ).byoi;
        await new Promise<void>((resolve) => {
          const whenRunning = (engine: { state: string }) => {
            if (engine.state === 'running') resolve();
          };
          byoi.onEngineState(whenRunning);
          void byoi.engineState().then(whenRunning);
        });
        return (await byoi.call('getStatus', {})) as {
          version: string;
          schedule: { mode: string };
        };
      });
      const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(status.version).toBe(version);
      expect(scheduleModeSchema.options).toContain(status.schedule.mode);
    });

    it('denies window.open and navigation, and hides on close', async () => {
      expect(
        await page.evaluate(() => {
          const open = (globalThis as unknown as { open(url: string): unknown }).open;
          return open('https://example.com/') === null;
        }),
      ).toBe(true);
      const url = page.url();
      // Resolves with the page's URL just after will-navigate has been handled.
      const afterNavigate = app.evaluate(
        ({ BrowserWindow }) =>
          new Promise<string>((resolve) => {
            const contents = BrowserWindow.getAllWindows()[0]!.webContents;
            contents.once('will-navigate', () => setImmediate(() => resolve(contents.getURL())));
          }),
      );
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href =
          'https://example.com/';
      });
      expect(await afterNavigate).toBe(url);
      const visible = await app.evaluate(({ BrowserWindow }) => {
        const [window] = BrowserWindow.getAllWindows();
        window?.close();
        return { exists: Boolean(window && !window.isDestroyed()), visible: window?.isVisible() };
      });
      expect(visible).toEqual({ exists: true, visible: false });
    });
  },
);
