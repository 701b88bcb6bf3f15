/**
 * Electron main process entry (built to out/main/electron.js): hands the real `electron`
 * modules to the shell (shell.ts), which holds all the logic and is unit-tested with
 * stand-ins. Nothing else in main/electron imports `electron` at runtime.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  powerMonitor,
  safeStorage,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import log from 'electron-log/main';
// electron-updater is CommonJS: its named exports come through the default import.
import electronUpdater from 'electron-updater';
import type { ElectronDeps, WebContentsLike } from './electronDeps.js';
import { configureFileLog, toLogger } from './logging.js';
import { Shell } from './shell.js';

const here = import.meta.dirname;

app.enableSandbox();

const logsDir = app.getPath('logs');
configureFileLog(log, logsDir, 'main.log', { console: !app.isPackaged });
const engineLog = log.create({ logId: 'engine' });
configureFileLog(engineLog, logsDir, 'engine.log', { verbatim: true, console: !app.isPackaged });
const gatewayLog = log.create({ logId: 'gateway' });
configureFileLog(gatewayLog, logsDir, 'gateway.log', { verbatim: true, console: !app.isPackaged });
// Uncaught errors go to main.log; a dialog per error would be noise from a tray app.
log.errorHandler.startCatching({ showDialog: false });
const logger = toLogger(log);

const deps: ElectronDeps = {
  app,
  createWindow: (options) => new BrowserWindow(options),
  createTray: (image) => {
    // Our images all come from `images` below, so they are NativeImages.
    const tray = new Tray(image as Electron.NativeImage);
    return {
      setImage: (next) => tray.setImage(next as Electron.NativeImage),
      setToolTip: (text) => tray.setToolTip(text),
      setContextMenu: (menu) => tray.setContextMenu(menu as Electron.Menu),
      on: (event, listener) => tray.on(event, listener),
      destroy: () => tray.destroy(),
    };
  },
  buildMenu: (template) => Menu.buildFromTemplate(template),
  images: {
    fromPath: (file) => nativeImage.createFromPath(file),
    fromBitmap: (bitmap, size) => nativeImage.createFromBitmap(bitmap, size),
  },
  powerMonitor,
  forkUtility: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
  safeStorage,
  shell,
  ipcMain,
  nativeTheme,
  defaultSession: () => session.defaultSession,
  onWebContentsCreated: (listener) =>
    app.on('web-contents-created', (_event, contents) => listener(contents as WebContentsLike)),
  platform: process.platform,
  timers: {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  now: () => Date.now(),
  appUpdater: electronUpdater.autoUpdater,
};

const byoi = new Shell({
  deps,
  logger,
  paths: {
    engineEntry: path.join(here, 'engine-host.js'),
    gatewayEntry: path.join(here, 'byoi-gateway.js'),
    preload: path.join(here, '../preload/index.cjs'),
    rendererIndex: path.join(here, '../renderer/index.html'),
    logsDir,
  },
  devServerUrl: process.env['ELECTRON_RENDERER_URL'],
  argv: process.argv,
  env: process.env,
  execPath: process.execPath,
  configHome: process.env['XDG_CONFIG_HOME'] ?? path.join(homedir(), '.config'),
  onEngineOutput: (line) => engineLog.info(line),
  onGatewayOutput: (line) => gatewayLog.info(line),
});

byoi.start().catch((error: unknown) => {
  logger.error('the app could not start', { error: String(error) });
  app.quit();
});
