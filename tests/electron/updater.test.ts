/**
 * The app's updates, end to end in the shell: the feed URL from the engine's settings,
 * electron-updater's own updater (see updateFeed.ts for the two Electron pieces it stands in
 * for) against a real local feed, and what the tray, the window and the IPC gate make of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type UpdateStatus } from '../../common/ipcContract.js';
import { defaultSettings } from '../../common/settings.js';
import { Shell } from '../../main/electron/shell.js';
import { UPDATE_CHECK_INTERVAL_MS } from '../../main/electron/updater.js';
import {
  fakeDeps,
  invokeEvent,
  makeStatus,
  recordingLogger,
  shellOptions,
  type FakeChild,
} from './fakes.js';
import { publishVersion, realAppUpdater, startUpdateFeed, type UpdateFeed } from './updateFeed.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'byoi-update-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function feed(): Promise<UpdateFeed> {
  const started = await startUpdateFeed();
  cleanups.push(() => started.close());
  return started;
}

/** The shell of app version 0.1.0 with a real electron-updater, started, its engine running. */
async function startShell(options: { packaged?: boolean } = {}) {
  const userData = await tempDir();
  const fake = fakeDeps(userData, 'win32');
  const appUpdater = await realAppUpdater(userData, '0.1.0', options);
  // Installing would run the downloaded "installer": only record the call.
  const quitAndInstall = vi.spyOn(appUpdater, 'quitAndInstall').mockImplementation(() => {});
  fake.deps.appUpdater = appUpdater;
  const logger = recordingLogger();
  const shell = new Shell(shellOptions(fake, userData, logger));
  await shell.start();
  const engine = fake.children[0]!.spawned();
  return { ...fake, shell, logger, engine, quitAndInstall };
}

/** Answers the engine's first `getSettings` with this feed. */
function answerSettings(engine: FakeChild, feedURL: string | null): void {
  const call = engine.calls().find((entry) => entry.verb === 'getSettings')!;
  engine.answer(call.id, { ...defaultSettings(), updates: { feedURL } });
}

/** The next update state that matches. */
function nextUpdate(shell: Shell, state: UpdateStatus['state']): Promise<UpdateStatus> {
  return new Promise((resolve) => {
    const off = shell.updater!.onChange((status) => {
      if (status.state !== state) return;
      off();
      resolve(status);
    });
  });
}

function menuOf(tray: { menu: unknown }): MenuItemConstructorOptions[] {
  return (tray.menu as { template: MenuItemConstructorOptions[] }).template;
}

describe('updates from a real feed', { timeout: 15_000 }, () => {
  it('offers a newer version: downloaded in the background, then "Restart to update" in the tray and on the dashboard', async () => {
    const served = await feed();
    publishVersion(served, '0.2.0');
    const { shell, engine, trays, timers, windows, ipcMain, quitAndInstall } = await startShell();
    const downloaded = nextUpdate(shell, 'downloaded');
    answerSettings(engine, served.url);
    expect(await downloaded).toMatchObject({ version: '0.2.0', error: null });
    expect(served.requests).toEqual(['latest.yml', 'BYOI-Node-Setup-0.2.0-x64.exe']);

    const contents = windows[0]!.webContents;
    expect(contents.sent).toContainEqual({
      channel: IPC_CHANNELS.update,
      payload: expect.objectContaining({ state: 'downloaded', version: '0.2.0' }),
    });
    timers.advance(1000);
    const item = menuOf(trays[0]!).find((entry) => entry.id === 'restart-to-update');
    expect(item?.label).toBe('Restart to update (0.2.0)');
    (item!.click as () => void)();
    expect(quitAndInstall).toHaveBeenCalledWith(true, true);

    const reply = await ipcMain.handlers.get(IPC_CHANNELS.restartToUpdate)!(
      invokeEvent(contents, contents.mainFrame),
      {},
    );
    expect(reply).toEqual({ ok: true, result: true });
    expect(quitAndInstall).toHaveBeenCalledTimes(2);
  });

  it.each(['0.1.0', '0.0.9'])(
    'offers nothing when the feed has version %s (this app is 0.1.0)',
    async (version) => {
      const served = await feed();
      publishVersion(served, version);
      const { shell, engine, trays, timers, windows, ipcMain } = await startShell();
      const idle = nextUpdate(shell, 'idle');
      answerSettings(engine, served.url);
      expect(await idle).toMatchObject({ version: null, checkedAt: expect.any(String) });
      expect(served.requests).toEqual(['latest.yml']);
      timers.advance(1000);
      expect(menuOf(trays[0]!).some((entry) => entry.id === 'restart-to-update')).toBe(false);
      const contents = windows[0]!.webContents;
      const reply = await ipcMain.handlers.get(IPC_CHANNELS.restartToUpdate)!(
        invokeEvent(contents, contents.mainFrame),
        {},
      );
      expect(reply).toMatchObject({ ok: false, error: { status: 409 } });
    },
  );

  it.each([
    ['not YAML', 'version: [0.2.0\n', /Cannot parse update info from latest\.yml/],
    ['without a version', 'files: []\n', /valid semver version/],
    ['missing', null, /Cannot find channel "latest\.yml"/],
  ])(
    'logs a feed whose latest.yml is %s in a sentence, keeps running, and tries again the next day',
    async (_name, text, message) => {
      const served = await feed();
      if (text !== null) served.files.set('latest.yml', text);
      const { shell, engine, logger, timers, trays } = await startShell();
      const failed = nextUpdate(shell, 'error');
      answerSettings(engine, served.url);
      expect((await failed).error).toMatch(message);
      const warning = logger.entries.find((entry) => /update check failed/.test(entry.message));
      expect(warning?.level).toBe('warn');
      expect(warning?.message).toMatch(message);
      expect(warning?.message).not.toMatch(/\n/);
      expect(shell.supervisor.snapshot().state).toBe('running');
      expect(trays[0]!.destroyed).toBe(false);

      publishVersion(served, '0.2.0');
      const downloaded = nextUpdate(shell, 'downloaded');
      timers.advance(UPDATE_CHECK_INTERVAL_MS);
      expect(await downloaded).toMatchObject({ version: '0.2.0' });
    },
  );

  it('says so when the download does not match its sha512, and offers nothing', async () => {
    const served = await feed();
    publishVersion(served, '0.2.0');
    served.files.set('BYOI-Node-Setup-0.2.0-x64.exe', Buffer.from('a tampered installer'));
    const { shell, engine, logger, timers, trays } = await startShell();
    const failed = nextUpdate(shell, 'error');
    answerSettings(engine, served.url);
    expect(await failed).toMatchObject({
      version: '0.2.0',
      error: expect.stringMatching(/sha512/),
    });
    expect(
      logger.entries.some((entry) => /update download failed.*sha512/.test(entry.message)),
    ).toBe(true);
    timers.advance(1000);
    expect(menuOf(trays[0]!).some((entry) => entry.id === 'restart-to-update')).toBe(false);
  });

  it('checks again at once when the network requires an update, once per run', async () => {
    const served = await feed();
    publishVersion(served, '0.1.0');
    const { shell, engine } = await startShell();
    const idle = nextUpdate(shell, 'idle');
    answerSettings(engine, served.url);
    await idle;
    publishVersion(served, '0.2.0');
    const downloaded = nextUpdate(shell, 'downloaded');
    const refused = makeStatus({
      link: { state: 'offline', code: 4001, reason: 'protocol v2', updateRequired: true },
    });
    engine.emit('message', { type: 'event', event: { type: 'status', status: refused } });
    engine.emit('message', { type: 'event', event: { type: 'status', status: refused } });
    await downloaded;
    expect(served.requests.filter((path) => path === 'latest.yml')).toHaveLength(2);
  });

  it('checks nothing without a feed, nor in a development build', async () => {
    const { shell, engine, windows, ipcMain } = await startShell();
    answerSettings(engine, null);
    const contents = windows[0]!.webContents;
    const state = await ipcMain.handlers.get(IPC_CHANNELS.updateState)!(
      invokeEvent(contents, contents.mainFrame),
      undefined,
    );
    expect(state).toMatchObject({ ok: true, result: { state: 'disabled' } });

    const served = await feed();
    publishVersion(served, '0.2.0');
    const dev = await startShell({ packaged: false });
    const disabled = nextUpdate(dev.shell, 'disabled');
    answerSettings(dev.engine, served.url);
    await disabled;
    expect(served.requests).toEqual([]);
    expect(dev.logger.entries.some((entry) => /development build/.test(entry.message))).toBe(true);
    expect(shell.updater!.status.state).toBe('disabled');
  });
});
