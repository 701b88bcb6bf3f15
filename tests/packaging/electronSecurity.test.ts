/**
 * Electronegativity over the built app (out/): no HIGH or MEDIUM finding beyond the ones
 * scripts/electronSecurity.ts accepts by name, each with a reason checked against the build.
 * Needs `npm run build` first (`npm test` does it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCEPTED,
  formatReport,
  scanBuiltApp,
  type SecurityReport,
} from '../../scripts/electronSecurity.js';

const root = join(import.meta.dirname, '../..');
const electronVersion = (
  createRequire(import.meta.url)('electron/package.json') as { version: string }
).version;

describe('Electronegativity over out/', () => {
  let report: SecurityReport;

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/electron.js')))
      throw new Error("out/ is missing: run 'npm run build' first (npm test does)");
    report = await scanBuiltApp(join(root, 'out'), electronVersion);
  }, 120_000);

  it('has no blocking finding and no unparsed file that uses Electron', () => {
    const { text, failed } = formatReport(report);
    expect(report.scanned).toBeGreaterThan(3);
    expect(failed, text).toBe(false);
  });

  it('reports each accepted finding only while its reason still holds', () => {
    for (const { finding, reason } of report.accepted) {
      expect(ACCEPTED.some((a) => a.id === finding.id && a.reason === reason)).toBe(true);
      expect(
        ACCEPTED.find((a) => a.id === finding.id)!.holds(join(root, 'out'), finding),
      ).toBeNull();
    }
  });
});

/** A deliberately unsafe main process: the scan must catch it, or it proves nothing. */
describe('Electronegativity on a known-bad app', () => {
  let bad = '';
  afterAll(() => {
    if (bad) rmSync(bad, { recursive: true, force: true });
  });

  it('blocks disabled isolation, sandbox and web security, and a preload exposing ipcRenderer', async () => {
    bad = mkdtempSync(join(tmpdir(), 'byoi-electronegativity-'));
    for (const folder of ['main', 'preload', 'renderer']) mkdirSync(join(bad, folder));
    writeFileSync(
      join(bad, 'main/electron.js'),
      [
        'import { app, BrowserWindow } from "electron";',
        'app.whenReady().then(() => {',
        '  const win = new BrowserWindow({',
        '    webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false,',
        '      webSecurity: false, preload: "../preload/index.cjs" },',
        '  });',
        '  win.loadURL("http://example.com/");',
        '});',
      ].join('\n'),
    );
    writeFileSync(
      join(bad, 'preload/index.cjs'),
      'const electron = require("electron");\n' +
        'electron.contextBridge.exposeInMainWorld("ipc", electron.ipcRenderer);\n',
    );
    writeFileSync(
      join(bad, 'renderer/index.html'),
      readFileSync(join(root, 'out/renderer/index.html'), 'utf8'),
    );
    const result = await scanBuiltApp(bad, electronVersion);
    const ids = result.blocking.map((finding) => finding.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'CONTEXT_ISOLATION_JS_CHECK',
        'SANDBOX_JS_CHECK',
        'WEB_SECURITY_JS_CHECK',
      ]),
    );
    // Accepted findings in our app must not be accepted here: their reasons do not hold.
    for (const id of ['PRELOAD_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK'])
      expect(result.blocking.find((finding) => finding.id === id)?.description).toMatch(
        /accepted only while it holds/,
      );
    expect(result.accepted).toEqual([]);
    expect(formatReport(result).failed).toBe(true);
  }, 120_000);
});
