/**
 * Stand-ins for the Electron binary, which cannot exist on these machines (no download is
 * possible). They implement the narrow interfaces of main/electron/electronDeps.ts and record
 * what the shell did to them, so the shell's logic is tested without Electron.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { LogFields, Logger } from '../../common/log.js';
import type { NodeStatus } from '../../common/nodeApi.js';
import { vi } from 'vitest';
import type { ShellOptions } from '../../main/electron/shell.js';
import type { TrayActions } from '../../main/electron/trayMenu.js';
import type { TimerHandle, Timers } from '../../common/node/timers.js';
import type {
  AppLike,
  ElectronDeps,
  FrameLike,
  ImageLike,
  IpcInvokeEventLike,
  IpcMainLike,
  PowerMonitorLike,
  SafeStorageBackend,
  SafeStorageLike,
  SessionLike,
  TrayLike,
  UtilityChildLike,
  WebContentsLike,
  WindowLike,
} from '../../main/electron/electronDeps.js';

/** Timers fired by `advance`, with a clock that moves with them. */
export class FakeTimers implements Timers {
  time = 1_700_000_000_000;
  private queue: { at: number; seq: number; callback: () => void; handle: TimerHandle }[] = [];
  private seq = 0;

  now = (): number => this.time;

  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const handle: TimerHandle = { unref: () => handle };
    this.queue.push({ at: this.time + Math.max(0, ms), seq: this.seq++, callback, handle });
    return handle;
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.queue = this.queue.filter((timer) => timer.handle !== handle);
  };

  /** Timers waiting, soonest first (their delays from now). */
  pending(): number[] {
    return this.queue.map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.queue]
        .sort((a, b) => a.at - b.at || a.seq - b.seq)
        .find((timer) => timer.at <= end);
      if (!next) break;
      this.queue = this.queue.filter((timer) => timer !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

/** A logger that keeps what it was told. */
export function recordingLogger(): Logger & {
  entries: { level: string; message: string; fields: LogFields }[];
} {
  const entries: { level: string; message: string; fields: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}) =>
      void entries.push({ level, message, fields });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A utilityProcess child: the test plays the engine (spawn, answer, crash). */
export class FakeChild extends EventEmitter implements UtilityChildLike {
  static nextPid = 4000;
  readonly pid = FakeChild.nextPid++;
  readonly stdout = new EventEmitter() as unknown as NodeJS.ReadableStream;
  readonly stderr = new EventEmitter() as unknown as NodeJS.ReadableStream;
  readonly posted: unknown[] = [];
  killed = false;

  constructor(
    readonly modulePath = '',
    readonly args: string[] = [],
    readonly env: Record<string, string | undefined> = {},
  ) {
    super();
  }

  postMessage(message: unknown): void {
    this.posted.push(message);
  }

  kill(): boolean {
    this.killed = true;
    return true;
  }

  spawned(): this {
    this.emit('spawn');
    return this;
  }

  exit(code: number): void {
    this.emit('exit', code);
  }

  /** The calls posted so far. */
  calls(): { type: 'call'; id: number; verb: string; args: unknown }[] {
    return this.posted as { type: 'call'; id: number; verb: string; args: unknown }[];
  }

  answer(id: number, result: unknown): void {
    this.emit('message', { type: 'result', id, result });
  }
}

export class FakeFrame implements FrameLike {
  constructor(
    public url: string,
    readonly processId = 7,
    readonly routingId = 1,
    readonly parent: FrameLike | null = null,
  ) {}
}

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  loading = false;
  destroyed = false;

  constructor(
    readonly mainFrame: FrameLike = new FakeFrame('file:///app/out/renderer/index.html'),
  ) {
    super();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isLoading(): boolean {
    return this.loading;
  }

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }

  /** Fires a navigation-type event and says whether something prevented it. */
  tryEvent(name: string, url: string, extra: Record<string, unknown> = {}): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true), url, ...extra }, url);
    return prevented;
  }
}

export class FakeWindow extends EventEmitter implements WindowLike {
  readonly webContents: FakeWebContents;
  visible = false;
  minimized = false;
  destroyed = false;
  focused = 0;
  loaded: string[] = [];

  constructor(
    readonly options: Record<string, unknown> = {},
    contents = new FakeWebContents(),
  ) {
    super();
    this.webContents = contents;
  }

  isDestroyed = () => this.destroyed;
  isVisible = () => this.visible;
  isMinimized = () => this.minimized;
  show = () => void (this.visible = true);
  hide = () => void (this.visible = false);
  focus = () => void this.focused++;
  restore = () => void (this.minimized = false);
  loadFile = async (path: string) => void this.loaded.push(path);
  loadURL = async (url: string) => void this.loaded.push(url);

  /** The user closes the window; returns whether the close was prevented. */
  userClose(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return prevented;
  }
}

/** An IPC invoke event from `frame` of `contents`. */
export function invokeEvent(contents: { id: number }, frame: FrameLike | null): IpcInvokeEventLike {
  return { sender: { id: contents.id }, senderFrame: frame };
}

export class FakeImage implements ImageLike {
  constructor(
    readonly source: string,
    private readonly empty = false,
  ) {}
  isEmpty = () => this.empty;
}

export class FakeTray extends EventEmitter implements TrayLike {
  image: ImageLike | null = null;
  tooltip = '';
  menu: unknown = null;
  menus = 0;
  destroyed = false;
  setImage = (image: ImageLike) => void (this.image = image);
  setToolTip = (text: string) => void (this.tooltip = text);
  setContextMenu = (menu: unknown) => {
    this.menu = menu;
    this.menus++;
  };
  destroy = () => void (this.destroyed = true);
}

export class FakePowerMonitor extends EventEmitter implements PowerMonitorLike {
  idleSeconds = 0;
  onBattery = false;
  getSystemIdleTime = () => this.idleSeconds;
  isOnBatteryPower = () => this.onBattery;
}

/** safeStorage with a reversible "encryption", and a switchable backend. */
export class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend: SafeStorageBackend = 'gnome_libsecret';
  /** Changes the key: what was sealed before no longer decrypts. */
  keyId = 'k1';
  isAsyncEncryptionAvailable = async () => this.available;
  encryptStringAsync = async (text: string) =>
    Buffer.from(`${this.keyId}:${Buffer.from(text).toString('base64')}`);
  decryptStringAsync = async (data: Buffer) => {
    const [keyId, body] = data.toString().split(':');
    if (keyId !== this.keyId) throw new Error('Error while decrypting the ciphertext provided');
    return { shouldReEncrypt: false, result: Buffer.from(body ?? '', 'base64').toString() };
  };
  getSelectedStorageBackend = () => this.backend;
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<
    string,
    (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>
  >();
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ) {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

export class FakeSession implements SessionLike {
  permissionHandler: Parameters<SessionLike['setPermissionRequestHandler']>[0] | null = null;
  checkHandler: (() => boolean) | null = null;
  headersListener: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | null = null;
  setPermissionRequestHandler = (handler: NonNullable<FakeSession['permissionHandler']>) =>
    void (this.permissionHandler = handler);
  setPermissionCheckHandler = (handler: () => boolean) => void (this.checkHandler = handler);
  webRequest = {
    onHeadersReceived: (listener: NonNullable<FakeSession['headersListener']>) =>
      void (this.headersListener = listener),
  };
}

export class FakeApp extends EventEmitter implements AppLike {
  isPackaged = false;
  gotLock = true;
  quits = 0;
  loginItem: { openAtLogin: boolean; args?: string[] } | null = null;
  wasOpenedAtLogin = false;
  constructor(
    readonly userData: string,
    readonly appPath = '/app',
  ) {
    super();
  }
  getPath = (name: 'userData' | 'logs') =>
    name === 'userData' ? this.userData : `${this.userData}/logs`;
  getAppPath = () => this.appPath;
  getVersion = () => '0.1.0';
  locale = 'en-US';
  getLocale = () => this.locale;
  requestSingleInstanceLock = () => this.gotLock;
  setLoginItemSettings = (settings: { openAtLogin?: boolean; args?: string[] }) =>
    void (this.loginItem = {
      openAtLogin: settings.openAtLogin ?? false,
      args: settings.args ?? [],
    });
  getLoginItemSettings = () => ({
    openAtLogin: this.loginItem?.openAtLogin ?? false,
    wasOpenedAtLogin: this.wasOpenedAtLogin,
  });
  whenReady = async () => undefined;
  quit = () => {
    this.quits++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quit');
  };
}

/** Every stand-in, as ElectronDeps, with handles on what was created. */
export function fakeDeps(userData: string, platform: NodeJS.Platform = 'linux') {
  const timers = new FakeTimers();
  const app = new FakeApp(userData);
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const children: FakeChild[] = [];
  const ipcMain = new FakeIpcMain();
  const session = new FakeSession();
  const powerMonitor = new FakePowerMonitor();
  const safeStorage = new FakeSafeStorage();
  const opened: string[] = [];
  const webContentsListeners: ((contents: WebContentsLike) => void)[] = [];
  const deps: ElectronDeps = {
    app,
    createWindow: (options) => {
      const window = new FakeWindow(options as Record<string, unknown>);
      windows.push(window);
      for (const listener of webContentsListeners) listener(window.webContents);
      return window;
    },
    createTray: (image) => {
      const tray = new FakeTray();
      tray.image = image;
      trays.push(tray);
      return tray;
    },
    buildMenu: (template) => ({ template }),
    images: {
      fromPath: (path) => new FakeImage(path, true),
      fromBitmap: (bitmap) => new FakeImage(`bitmap:${bitmap.length}`),
    },
    powerMonitor,
    forkUtility: (modulePath, args, options) => {
      const child = new FakeChild(modulePath, args, (options.env ?? {}) as Record<string, string>);
      children.push(child);
      return child;
    },
    safeStorage,
    shell: {
      openExternal: async (url) => void opened.push(url),
      openPath: async (path) => {
        opened.push(path);
        return '';
      },
    },
    ipcMain,
    nativeTheme: { shouldUseDarkColors: false },
    defaultSession: () => session,
    onWebContentsCreated: (listener) => void webContentsListeners.push(listener),
    platform,
    timers,
    now: timers.now,
  };
  return {
    deps,
    timers,
    app,
    windows,
    trays,
    children,
    ipcMain,
    session,
    powerMonitor,
    safeStorage,
    opened,
  };
}

/** The tray's actions, each a spy. */
export function trayActions() {
  return {
    call: vi.fn(),
    openDashboard: vi.fn(),
    openDiagnostics: vi.fn(),
    openLogsFolder: vi.fn(),
    restartEngine: vi.fn(),
    restartToUpdate: vi.fn(),
    quit: vi.fn(),
  } satisfies TrayActions;
}

/** The shell's options over `fakeDeps`, as the packaged app at /app passes them. */
export function shellOptions(
  fake: ReturnType<typeof fakeDeps>,
  userData: string,
  logger: Logger,
  overrides: Partial<ShellOptions> = {},
): ShellOptions {
  return {
    deps: fake.deps,
    logger,
    paths: {
      engineEntry: '/app/out/main/engine-host.js',
      preload: '/app/out/preload/index.cjs',
      rendererIndex: '/app/out/renderer/index.html',
      logsDir: join(userData, 'logs'),
    },
    devServerUrl: undefined,
    argv: ['/app/byoi-node'],
    env: {},
    execPath: '/app/byoi-node',
    configHome: join(userData, 'config'),
    ...overrides,
  };
}

/** A NodeStatus with sensible defaults: linked, serving, one model. */
export function makeStatus(
  overrides: {
    schedule?: Partial<NodeStatus['schedule']>;
    link?: Partial<NodeStatus['link']>;
    earnings?: Partial<NodeStatus['earnings']>;
    models?: NodeStatus['models'];
  } = {},
): NodeStatus {
  const at = '2025-01-01T00:00:00.000Z';
  const totals = {
    requests: 0,
    rejections: {},
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    tokensPerSecond: { p50: null, p95: null },
    timeToFirstTokenMs: { p50: null, p95: null },
  };
  return {
    version: '0.1.0',
    hardware: {
      summary: 'CPU only',
      summaryCode: { code: 'hardware.noGpu', params: { coreCount: 4 } },
      backend: 'cpu',
    },
    schedule: {
      mode: 'idle',
      state: 'serving',
      reason: 'serving: idle for 6 min',
      reasonCode: { code: 'schedule.idle', params: { idleSeconds: 360 } },
      since: at,
      pausedUntil: null,
      signals: {
        userIdleSeconds: 360,
        onBattery: false,
        gpuBusyWith: null,
        gpuTemperatureC: null,
        gpuWatts: null,
      },
      decisions: [],
      ...overrides.schedule,
    },
    link: {
      state: 'online',
      gatewayURL: 'https://gateway.example',
      nodeId: 'n1',
      code: null,
      reason: null,
      ...overrides.link,
    },
    models: overrides.models ?? [],
    stats: { ...totals, uptimeSeconds: 60, startedAt: at, perModel: {} },
    earnings: {
      pending: 0,
      settled: 0,
      today: 0.0123,
      last7Days: 0,
      last30Days: 0,
      lifetime: 0,
      ...overrides.earnings,
    },
    settingsWarning: null,
  };
}
