/**
 * The slice of Electron the shell uses, as narrow interfaces. The shell's logic takes these
 * instead of importing `electron`, so it runs in unit tests with stand-ins (there is no
 * Electron binary on the build machines); main.ts passes the real modules.
 */
import type {
  BrowserWindowConstructorOptions,
  ForkOptions,
  LoginItemSettings,
  MenuItemConstructorOptions,
  Settings as LoginItemSettingsInput,
} from 'electron';
import type { Timers } from '../../common/node/timers.js';
import type { AppUpdaterLike } from './updater.js';

/** Electron's emitters type each event's listener; a structural stand-in must take them all. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;

/** A frame as `event.senderFrame` gives it (WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly processId: number;
  readonly routingId: number;
  readonly parent: FrameLike | null;
}

export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: FrameLike;
  isDestroyed(): boolean;
  isLoading(): boolean;
  send(channel: string, ...args: unknown[]): void;
  on(event: string, listener: AnyListener): unknown;
  once(event: string, listener: AnyListener): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** The part of a BrowserWindow the shell drives. */
export interface WindowLike {
  readonly webContents: WebContentsLike;
  isDestroyed(): boolean;
  isVisible(): boolean;
  isMinimized(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  loadFile(path: string, options?: { hash?: string }): Promise<void>;
  loadURL(url: string): Promise<void>;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

/** What `event` of ipcMain.handle carries that the gate checks. */
export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

export interface ImageLike {
  isEmpty(): boolean;
}

export interface TrayLike {
  setImage(image: ImageLike): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface PowerMonitorLike {
  getSystemIdleTime(): number;
  isOnBatteryPower(): boolean;
  on(event: string, listener: () => void): unknown;
  removeListener(event: string, listener: () => void): unknown;
}

/** One utilityProcess child (Electron's UtilityProcess). */
export interface UtilityChildLike {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (type: string, location: string) => void): unknown;
}

export type SafeStorageBackend =
  'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
  /** Linux only. */
  getSelectedStorageBackend(): SafeStorageBackend;
}

/** The session the window uses: permissions and response headers. */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
}

export interface AppLike {
  readonly isPackaged: boolean;
  getPath(name: 'userData' | 'logs'): string;
  getAppPath(): string;
  getVersion(): string;
  /** The OS's language, e.g. `fr-FR` (the tray follows it when the setting says `system`). */
  getLocale(): string;
  requestSingleInstanceLock(): boolean;
  setLoginItemSettings(settings: LoginItemSettingsInput): void;
  getLoginItemSettings(): Pick<LoginItemSettings, 'openAtLogin' | 'wasOpenedAtLogin'>;
  whenReady(): Promise<unknown>;
  quit(): void;
  on(event: string, listener: AnyListener): unknown;
}

/** Everything the shell takes from Electron (and the clock), injected. */
export interface ElectronDeps {
  app: AppLike;
  createWindow(options: BrowserWindowConstructorOptions): WindowLike;
  createTray(image: ImageLike): TrayLike;
  /** `Menu.buildFromTemplate`. */
  buildMenu(template: MenuItemConstructorOptions[]): unknown;
  /** `nativeImage.createFromPath` and `createFromBitmap`. */
  images: {
    fromPath(path: string): ImageLike;
    fromBitmap(bitmap: Buffer, size: { width: number; height: number }): ImageLike;
  };
  powerMonitor: PowerMonitorLike;
  forkUtility(modulePath: string, args: string[], options: ForkOptions): UtilityChildLike;
  safeStorage: SafeStorageLike;
  shell: {
    openExternal(url: string): Promise<void>;
    openPath(path: string): Promise<string>;
  };
  ipcMain: IpcMainLike;
  nativeTheme: { readonly shouldUseDarkColors: boolean };
  /** `session.defaultSession`, available after ready. */
  defaultSession(): SessionLike;
  /** Every new web contents (app `web-contents-created`). */
  onWebContentsCreated(listener: (contents: WebContentsLike) => void): void;
  platform: NodeJS.Platform;
  timers: Timers;
  now(): number;
  /** electron-updater's `autoUpdater`; absent: the app does not update itself. */
  appUpdater?: AppUpdaterLike;
}
