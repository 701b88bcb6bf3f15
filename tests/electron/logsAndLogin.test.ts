/**
 * Log rotation and the login item, with temporary folders and a stand-in app object.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  autostartDesktopEntry,
  HIDDEN_ARG,
  launchedHidden,
  LoginItem,
} from '../../main/electron/loginItem.js';
import {
  configureFileLog,
  LOG_MAX_BYTES,
  rotateLogFiles,
  toLogger,
  type FileLogLike,
} from '../../main/electron/logging.js';
import { FakeApp, recordingLogger } from './fakes.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'byoi-electron-'));
  dirs.push(dir);
  return dir;
};

function fakeLog(): FileLogLike & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  return {
    lines,
    transports: {
      file: { maxSize: 0, format: '', resolvePathFn: () => '', archiveLogFn: () => undefined },
      console: { level: 'silly' },
    },
    debug: (...args) => void lines.push(['debug', ...args]),
    info: (...args) => void lines.push(['info', ...args]),
    warn: (...args) => void lines.push(['warn', ...args]),
    error: (...args) => void lines.push(['error', ...args]),
  };
}

describe('log files', () => {
  it('rotates main.log to main.1.log … main.3.log, dropping the oldest', async () => {
    const dir = await tempDir();
    const live = join(dir, 'main.log');
    for (let round = 1; round <= 5; round++) {
      await writeFile(live, `round ${round}`);
      rotateLogFiles(live);
    }
    expect((await readdir(dir)).sort()).toEqual(['main.1.log', 'main.2.log', 'main.3.log']);
    expect(await readFile(join(dir, 'main.1.log'), 'utf8')).toBe('round 5');
    expect(await readFile(join(dir, 'main.3.log'), 'utf8')).toBe('round 3');
  });

  it('sends the file transport to the logs folder, at 5 MB a file', async () => {
    const dir = await tempDir();
    const log = fakeLog();
    configureFileLog(log, dir, 'engine.log', { verbatim: true, console: false });
    expect(log.transports.file.resolvePathFn()).toBe(join(dir, 'engine.log'));
    expect(log.transports.file.maxSize).toBe(LOG_MAX_BYTES);
    expect(LOG_MAX_BYTES).toBe(5 * 1024 * 1024);
    expect(log.transports.file.format).toBe('{text}');
    expect(log.transports.console.level).toBe(false);
    await writeFile(join(dir, 'engine.log'), 'old');
    log.transports.file.archiveLogFn({ path: join(dir, 'engine.log') });
    expect(await readFile(join(dir, 'engine.1.log'), 'utf8')).toBe('old');
  });

  it('logs messages with their fields as JSON', () => {
    const log = fakeLog();
    toLogger(log).warn('ipc call refused', { verb: 'setMode', extra: undefined });
    toLogger(log).info('plain');
    expect(log.lines).toEqual([
      ['warn', 'ipc call refused', '{"verb":"setMode"}'],
      ['info', 'plain'],
    ]);
  });
});

describe('start at login', () => {
  it('changes nothing before onboarding, then follows the setting, once per change', async () => {
    const app = new FakeApp('/tmp/unused');
    let calls = 0;
    const set = app.setLoginItemSettings;
    app.setLoginItemSettings = (settings) => {
      calls++;
      set(settings);
    };
    const item = new LoginItem({
      app,
      platform: 'win32',
      execPath: 'C:\\BYOI\\byoi.exe',
      configHome: '',
      active: true,
      logger: recordingLogger(),
    });
    await item.apply({ onboarded: false, startAtLogin: true });
    expect(app.loginItem).toBeNull();
    await item.apply({ onboarded: true, startAtLogin: true });
    await item.apply({ onboarded: true, startAtLogin: true });
    expect(app.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    await item.apply({ onboarded: true, startAtLogin: false });
    expect(app.loginItem).toEqual({ openAtLogin: false, args: [HIDDEN_ARG] });
    expect(calls).toBe(2);
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const configHome = await tempDir();
    const item = new LoginItem({
      app: new FakeApp('/tmp/unused'),
      platform: 'linux',
      execPath: '/opt/BYOI Node/byoi-node',
      configHome,
      active: true,
      logger: recordingLogger(),
    });
    const file = join(configHome, 'autostart', 'byoi-node.desktop');
    await item.apply({ onboarded: true, startAtLogin: true });
    const entry = await readFile(file, 'utf8');
    expect(entry).toContain(`Exec="/opt/BYOI Node/byoi-node" ${HIDDEN_ARG}`);
    expect(entry).toBe(autostartDesktopEntry('/opt/BYOI Node/byoi-node'));
    await item.apply({ onboarded: true, startAtLogin: false });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never registers the development binary', async () => {
    const app = new FakeApp('/tmp/unused');
    const item = new LoginItem({
      app,
      platform: 'darwin',
      execPath: '/x/Electron',
      configHome: '',
      active: false,
      logger: recordingLogger(),
    });
    await item.apply({ onboarded: true, startAtLogin: true });
    expect(app.loginItem).toBeNull();
  });

  it('knows a login launch by its argument or by macOS saying so', () => {
    expect(launchedHidden(['byoi', HIDDEN_ARG], {})).toBe(true);
    expect(launchedHidden(['byoi'], { wasOpenedAtLogin: true })).toBe(true);
    expect(launchedHidden(['byoi'], { wasOpenedAtLogin: false })).toBe(false);
  });
});
