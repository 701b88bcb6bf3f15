/**
 * The shell wired together (shell.ts) over stand-ins for every Electron module (no Electron
 * binary here): single instance, the engine's fork arguments and key, events to the window
 * and tray, settings to the login item, and a clean quit.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../common/settings.js';
import { IPC_CHANNELS } from '../../common/ipcContract.js';
import { HIDDEN_ARG } from '../../main/electron/loginItem.js';
import { NODE_KEY_ENV } from '../../main/electron/nodeKeyStore.js';
import { Shell } from '../../main/electron/shell.js';
import { fakeDeps, invokeEvent, makeStatus, recordingLogger, shellOptions } from './fakes.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(
  options: { platform?: NodeJS.Platform; argv?: string[]; packaged?: boolean } = {},
) {
  const userData = await mkdtemp(join(tmpdir(), 'byoi-shell-'));
  dirs.push(userData);
  const fake = fakeDeps(userData, options.platform ?? 'darwin');
  fake.app.isPackaged = options.packaged ?? false;
  const logger = recordingLogger();
  const shell = new Shell(
    shellOptions(fake, userData, logger, {
      argv: options.argv ?? ['/app/byoi-node'],
      env: { PATH: '/usr/bin', [NODE_KEY_ENV]: 'must not leak from the parent' },
    }),
  );
  return { ...fake, shell, logger, userData };
}

/** Lets the shell's promise chains run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Shell', () => {
  it('quits at once when another instance holds the lock; that one focuses its window', async () => {
    const second = await setup();
    second.app.gotLock = false;
    expect(await second.shell.start()).toBe(false);
    expect(second.app.quits).toBe(1);
    expect(second.windows).toHaveLength(0);
    expect(second.children).toHaveLength(0);

    const first = await setup();
    expect(await first.shell.start()).toBe(true);
    const window = first.windows[0]!;
    window.userClose(); // hidden in the tray
    expect(window.visible).toBe(false);
    first.app.emit('second-instance', {}, ['byoi-node'], '/');
    expect(first.windows).toHaveLength(1);
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(1);
  });

  it('forks the engine with the data folder, and the decrypted key only in its env', async () => {
    const { shell, children, userData } = await setup();
    await shell.start();
    expect(children).toHaveLength(1);
    const child = children[0]!;
    const dataDir = join(userData, 'engine');
    expect(child.modulePath).toBe('/app/out/main/engine-host.js');
    expect(child.args).toEqual(['--data-dir', dataDir]);
    expect(child.env['BYOI_DATA_DIR']).toBe(dataDir);
    expect(child.env['PATH']).toBe('/usr/bin');
    expect(child.env[NODE_KEY_ENV]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const sealed = await readFile(join(userData, 'node-key.safestorage.json'), 'utf8');
    expect(sealed).not.toContain('PRIVATE KEY');
  });

  it('on Linux without a keyring the engine keeps its own 0600 key file: no key in env', async () => {
    const { shell, children, safeStorage, logger } = await setup({ platform: 'linux' });
    safeStorage.backend = 'basic_text';
    await shell.start();
    expect(children[0]!.env[NODE_KEY_ENV]).toBeUndefined();
    expect(
      logger.entries.some((entry) => entry.level === 'warn' && /basic_text/.test(entry.message)),
    ).toBe(true);
  });

  it('forwards engine events to the window and the tray; engine state too', async () => {
    const { shell, children, windows, trays, timers } = await setup();
    await shell.start();
    const child = children[0]!.spawned();
    const status = makeStatus();
    child.emit('message', { type: 'event', event: { type: 'status', status } });
    const sent = windows[0]!.webContents.sent;
    expect(sent).toContainEqual({
      channel: IPC_CHANNELS.event,
      payload: { type: 'status', status },
    });
    expect(sent.some((message) => message.channel === IPC_CHANNELS.engine)).toBe(true);
    timers.advance(1000); // the tray redraws at most once a second
    expect(trays[0]!.tooltip).toBe('BYOI Node: serving, 0.0 tokens/s');
    child.exit(139);
    expect(sent[sent.length - 1]).toMatchObject({
      channel: IPC_CHANNELS.engine,
      payload: { state: 'restarting' },
    });
  });

  it('a fresh engine gets the OS signals and is asked for its settings; start at login follows them', async () => {
    const { shell, children, powerMonitor, app } = await setup({ packaged: true });
    powerMonitor.idleSeconds = 42;
    powerMonitor.onBattery = true;
    await shell.start();
    const child = children[0]!.spawned();
    const calls = child.calls();
    expect(calls.map((call) => [call.verb, call.args])).toEqual([
      ['reportSignals', { userIdleSeconds: 42, onBattery: true }],
      ['getSettings', {}],
    ]);
    child.answer(calls[1]!.id, { ...defaultSettings(), onboarded: false });
    await settle();
    expect(app.loginItem).toBeNull(); // not before onboarding
    const update = shell.call('updateSettings', { onboarded: true });
    const last = child.calls()[child.calls().length - 1]!;
    child.answer(last.id, { ...defaultSettings(), onboarded: true, startAtLogin: true });
    await update;
    await settle();
    expect(app.loginItem).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
  });

  it('starts in the tray when launched by the login item; the window is made when opened', async () => {
    const { shell, windows, trays, app } = await setup({ argv: ['/app/byoi-node', HIDDEN_ARG] });
    await shell.start();
    expect(trays).toHaveLength(1);
    expect(windows).toHaveLength(0);
    app.emit('second-instance', {}, ['byoi-node'], '/');
    expect(windows).toHaveLength(1);
  });

  it('answers dashboard calls through the gate', async () => {
    const { shell, children, ipcMain, windows } = await setup();
    await shell.start();
    const child = children[0]!.spawned();
    const contents = windows[0]!.webContents;
    const reply = ipcMain.handlers.get(IPC_CHANNELS.call)!(
      invokeEvent(contents, contents.mainFrame),
      {
        verb: 'getEarnings',
        args: {},
      },
    );
    const call = child.calls().find((entry) => entry.verb === 'getEarnings')!;
    child.answer(call.id, { today: 1 });
    await expect(reply).resolves.toEqual({ ok: true, result: { today: 1 } });
  });

  it('keeps running with all windows closed, and on quit stops the engine first', async () => {
    const { shell, children, app, trays } = await setup();
    await shell.start();
    const child = children[0]!.spawned();
    expect(app.listenerCount('window-all-closed')).toBe(1);
    let quitEmitted = false;
    app.on('quit', () => (quitEmitted = true));
    app.quit();
    expect(child.killed).toBe(true);
    expect(trays[0]!.destroyed).toBe(true);
    expect(quitEmitted).toBe(false); // held until the engine has exited
    app.quit(); // a second request while stopping changes nothing
    expect(quitEmitted).toBe(false);
    child.exit(0);
    await settle();
    expect(quitEmitted).toBe(true);
    expect(shell.supervisor.snapshot().state).toBe('stopped');
  });

  it('starts the private network gateway again at launch when one was set up, and stops it on quit', async () => {
    const { shell, children, app, userData } = await setup();
    const saved = {
      version: 1,
      port: 45678,
      orgId: 'org_1',
      apiKeyId: 'key_1',
      apiKey: 'byoi-sk-x',
      enrollmentCode: null,
      joined: true,
    };
    await writeFile(join(userData, 'private-network.json'), JSON.stringify(saved));
    await shell.start();
    const gateway = children.find((child) => child.modulePath.endsWith('byoi-gateway.js'))!;
    expect(gateway.modulePath).toBe('/app/out/main/byoi-gateway.js');
    expect(gateway.args.slice(0, 5)).toEqual([
      '--json',
      '--port',
      '45678',
      '--data-dir',
      join(userData, 'gateway'),
    ]);
    expect(gateway.env[NODE_KEY_ENV]).toBeUndefined();
    let quitEmitted = false;
    app.on('quit', () => (quitEmitted = true));
    app.quit();
    expect(gateway.killed).toBe(true);
    children[0]!.exit(0);
    await settle();
    expect(quitEmitted).toBe(false); // the gateway has not exited yet
    gateway.exit(0);
    await settle();
    expect(quitEmitted).toBe(true);
  });

  it('does not start a gateway when no private network was set up', async () => {
    const { shell, children } = await setup();
    await shell.start();
    expect(children.map((child) => child.modulePath)).toEqual(['/app/out/main/engine-host.js']);
  });
});
