/**
 * The desktop shell, wired together: one instance, a tray, the dashboard window, the IPC
 * gate, the engine in a utilityProcess, OS signals and the login item. Everything Electron
 * comes in through `deps`, so tests run it with stand-ins.
 */
import { dirname, join } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { NodeApiResults, NodeApiVerb } from '../../common/nodeApi.js';
import type { Settings } from '../../common/settings.js';
import { appOrigin } from './appOrigin.js';
import type { ElectronDeps } from './electronDeps.js';
import { EngineSupervisor, type SupervisorBackoff } from './engineSupervisor.js';
import { IPC_CHANNELS } from '../../common/ipcContract.js';
import { IpcGate } from './ipcGate.js';
import { launchedHidden, LoginItem } from './loginItem.js';
import { MainWindow } from './mainWindow.js';
import { loadNodeKey, NODE_KEY_ENV } from './nodeKeyStore.js';
import { startOsSignals, type OsSignals } from './osSignals.js';
import { PrivateNetwork } from './privateNetwork.js';
import { TrayController } from './trayController.js';
import { trayLanguage } from './trayStrings.js';
import { Updater } from './updater.js';
import { hardenSession, hardenWebContents } from './windowSecurity.js';

export interface ShellPaths {
  /** out/main/engine-host.js */
  engineEntry: string;
  /** out/main/byoi-gateway.js (default: next to the engine's entry). */
  gatewayEntry?: string;
  /** out/preload/index.cjs */
  preload: string;
  /** out/renderer/index.html */
  rendererIndex: string;
  logsDir: string;
}

export interface ShellOptions {
  deps: ElectronDeps;
  logger: Logger;
  paths: ShellPaths;
  /** electron-vite's `ELECTRON_RENDERER_URL` in dev. */
  devServerUrl: string | undefined;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  execPath: string;
  /** `$XDG_CONFIG_HOME` or `~/.config`, for the Linux autostart entry. */
  configHome: string;
  /** Each line the engine logs. */
  onEngineOutput?: (line: string) => void;
  /** Each line the private network's gateway logs. */
  onGatewayOutput?: (line: string) => void;
  backoff?: Partial<SupervisorBackoff>;
}

/** Verbs whose result is the settings: the shell applies the login item from them. */
const SETTINGS_VERBS: ReadonlySet<NodeApiVerb> = new Set([
  'getSettings',
  'updateSettings',
  'setMode',
  'pause',
  'resume',
  'setPrice',
]);

export class Shell {
  readonly supervisor: EngineSupervisor;
  readonly window: MainWindow;
  readonly tray: TrayController;
  readonly gate: IpcGate;
  readonly privateNetwork: PrivateNetwork;
  /** Null when the app does not update itself (no `appUpdater` given). */
  readonly updater: Updater | null;
  readonly engineDataDir: string;
  private readonly loginItem: LoginItem;
  private signals: OsSignals | null = null;
  private quitting = false;
  private ready = false;
  private engineStopped = false;
  private stopping: Promise<void> | null = null;
  private nodeKeyPem: string | null = null;

  constructor(private readonly options: ShellOptions) {
    const { deps, logger, paths } = options;
    const origin = appOrigin(paths.rendererIndex, options.devServerUrl);
    this.engineDataDir = join(deps.app.getPath('userData'), 'engine');
    this.supervisor = new EngineSupervisor({
      fork: () => this.forkEngine(),
      timers: deps.timers,
      now: deps.now,
      logger,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.onEngineOutput ? { onOutput: options.onEngineOutput } : {}),
    });
    this.privateNetwork = new PrivateNetwork({
      userDataDir: deps.app.getPath('userData'),
      fork: (args) => this.forkGateway(args),
      joinNetwork: (args) => this.call('joinNetwork', args),
      timers: deps.timers,
      now: deps.now,
      logger,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.onGatewayOutput ? { onOutput: options.onGatewayOutput } : {}),
    });
    const { appUpdater, timers, now } = deps;
    this.updater = appUpdater ? new Updater({ appUpdater, timers, now, logger }) : null;
    this.window = new MainWindow({
      deps,
      origin,
      preloadPath: paths.preload,
      isQuitting: () => this.quitting,
      logger,
    });
    this.gate = new IpcGate({
      origin,
      window: () => this.window.window,
      call: (verb, args) => this.call(verb, args),
      engineState: () => this.supervisor.snapshot(),
      privateNetwork: () => this.privateNetwork.start(),
      updates: this.updater,
      logger,
    });
    this.tray = new TrayController({
      deps,
      appPath: deps.app.getAppPath(),
      actions: {
        call: (verb, args) => {
          this.call(verb, args).catch((error: unknown) =>
            logger.warn('tray action failed', { verb, error: String(error) }),
          );
        },
        openDashboard: () => this.window.showAndFocus(),
        openDiagnostics: () => this.window.navigate({ panel: 'overview', focus: 'diagnostics' }),
        openLogsFolder: () => void deps.shell.openPath(paths.logsDir),
        restartEngine: () => this.supervisor.restartNow(),
        restartToUpdate: () => void this.updater?.restartToUpdate(),
        quit: () => deps.app.quit(),
      },
    });
    this.loginItem = new LoginItem({
      app: deps.app,
      platform: deps.platform,
      execPath: options.env['APPIMAGE'] ?? options.execPath,
      configHome: options.configHome,
      // In development the "app" is the bare Electron binary: never register that at login.
      active: deps.app.isPackaged,
      logger,
    });
  }

  /**
   * Takes the single-instance lock and starts. Returns false (and quits) when another
   * instance runs: that one shows its window instead.
   */
  async start(): Promise<boolean> {
    const { deps, logger } = this.options;
    const { app } = deps;
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    // Before ready there is no window to show; the starting instance shows its own.
    const showWindow = () => void (this.ready && this.window.showAndFocus());
    app.on('second-instance', showWindow);
    app.on('activate', showWindow);
    // Closing the last window keeps the node running in the tray.
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', (event: { preventDefault(): void }) => this.beforeQuit(event));
    deps.onWebContentsCreated((contents) =>
      hardenWebContents(contents, { openExternal: (url) => deps.shell.openExternal(url), logger }),
    );

    await app.whenReady();
    hardenSession(deps.defaultSession(), logger);
    this.gate.register(deps.ipcMain);
    this.wireEngineEvents();
    this.tray.start();
    this.ready = true;
    // Launched at login: stay in the tray; the window (and its renderer) is made when opened.
    if (!launchedHidden(this.options.argv, app.getLoginItemSettings())) this.window.ensure(true);
    this.signals = startOsSignals({
      powerMonitor: deps.powerMonitor,
      report: (signals) => this.call('reportSignals', signals),
      engineRunning: () => this.supervisor.snapshot().state === 'running',
      timers: deps.timers,
      logger,
    });
    await this.startEngine();
    // Set up on an earlier run: serve it again (the engine, already enrolled, reconnects).
    if (PrivateNetwork.isConfigured(app.getPath('userData'))) {
      this.privateNetwork
        .start()
        .catch((error: unknown) =>
          logger.error('the private network did not start', { error: String(error) }),
        );
    }
    return true;
  }

  /** Calls the engine; settings results also update the login item, the feed and the tray. */
  async call<V extends NodeApiVerb>(verb: V, args: unknown): Promise<NodeApiResults[V]> {
    const result = await this.supervisor.call(verb, args);
    if (SETTINGS_VERBS.has(verb)) {
      const settings = result as Settings;
      void this.loginItem.apply(settings);
      this.updater?.configure(settings.updates.feedURL);
      this.tray.setLanguage(trayLanguage(settings.ui.language, this.options.deps.app.getLocale()));
    }
    return result;
  }

  private async startEngine(): Promise<void> {
    const { deps, logger } = this.options;
    const key = await loadNodeKey({
      safeStorage: deps.safeStorage,
      platform: deps.platform,
      userDataDir: deps.app.getPath('userData'),
      engineDataDir: this.engineDataDir,
      logger,
    }).catch((error: unknown) => ({
      kind: 'error' as const,
      message: `The node key could not be prepared: ${String(error)}`,
    }));
    if (key.kind === 'error') {
      logger.error(key.message);
      this.supervisor.refuseToStart(key.message);
      return;
    }
    this.nodeKeyPem = key.kind === 'encrypted' ? key.pem : null;
    this.supervisor.start();
  }

  /** The parent's environment without the node key (which only the engine may see). */
  private childEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.options.env)) {
      if (value !== undefined && name !== NODE_KEY_ENV) env[name] = value;
    }
    return env;
  }

  private forkGateway(args: string[]) {
    const { paths } = this.options;
    const env = this.childEnv();
    delete env['BYOI_ADMIN_TOKEN'];
    delete env['BYOI_GATEWAY_DATA_DIR'];
    return this.options.deps.forkUtility(
      paths.gatewayEntry ?? join(dirname(paths.engineEntry), 'byoi-gateway.js'),
      args,
      // Piped: the ready line is read from stdout, and stderr must be drained.
      { serviceName: 'BYOI Node gateway', stdio: 'pipe', env },
    );
  }

  private forkEngine() {
    const env = this.childEnv();
    env['BYOI_DATA_DIR'] = this.engineDataDir;
    if (this.nodeKeyPem) env[NODE_KEY_ENV] = this.nodeKeyPem;
    return this.options.deps.forkUtility(
      this.options.paths.engineEntry,
      ['--data-dir', this.engineDataDir],
      {
        serviceName: 'BYOI Node engine',
        // Piped output must be read, or the engine blocks once the pipe is full.
        stdio: this.options.onEngineOutput ? 'pipe' : 'inherit',
        env,
      },
    );
  }

  private wireEngineEvents(): void {
    const { supervisor, tray, window, updater } = this;
    supervisor.onEvent((event) => {
      window.send(IPC_CHANNELS.event, event);
      if (event.type !== 'status') return;
      tray.update(event.status, supervisor.snapshot());
      if (event.status.link.updateRequired) updater?.networkRequiresUpdate();
    });
    updater?.onChange((status) => {
      window.send(IPC_CHANNELS.update, status);
      tray.setUpdate(status);
    });
    supervisor.onState((snapshot) => {
      tray.update(supervisor.latestStatus, snapshot);
      window.send(IPC_CHANNELS.engine, snapshot);
      if (snapshot.state !== 'running') return;
      // A fresh engine knows nothing: tell it the OS signals, and read its settings.
      this.signals?.resendAll();
      this.call('getSettings', {}).catch((error: unknown) =>
        this.options.logger.warn('could not read the settings', { error: String(error) }),
      );
    });
  }

  private beforeQuit(event: { preventDefault(): void }): void {
    this.quitting = true;
    if (this.engineStopped) return;
    // Hold the quit until the engine has saved its state and exited (at most a few seconds).
    event.preventDefault();
    if (this.stopping) return;
    this.signals?.stop();
    this.updater?.stop();
    this.tray.destroy();
    const stopped = Promise.all([this.supervisor.stop(), this.privateNetwork.stop()]);
    this.stopping = stopped
      .then(() => undefined)
      .finally(() => {
        this.engineStopped = true;
        this.options.deps.app.quit();
      });
  }
}
