/**
 * The dashboard window: locked down (context isolation, sandbox, no Node), created once and
 * hidden rather than closed, so the node keeps earning from the tray. Quitting (tray "Quit",
 * the OS shutting down) is the only way it really closes.
 */
import type { Logger } from '../../common/log.js';
import type { AppOrigin } from './appOrigin.js';
import type { ElectronDeps, WindowLike } from './electronDeps.js';
import { IPC_CHANNELS, type ShellNavigation } from '../../common/ipcContract.js';

export interface MainWindowOptions {
  deps: Pick<ElectronDeps, 'createWindow' | 'nativeTheme'>;
  origin: AppOrigin;
  preloadPath: string;
  /** True once the app is quitting: closing then really closes. */
  isQuitting: () => boolean;
  logger: Logger;
}

export class MainWindow {
  private current: WindowLike | null = null;

  constructor(private readonly options: MainWindowOptions) {}

  /** The window, if it exists and is not destroyed. */
  get window(): WindowLike | null {
    return this.current && !this.current.isDestroyed() ? this.current : null;
  }

  /** Creates the window (hidden unless `show`); later calls return the same one. */
  ensure(show: boolean): WindowLike {
    const existing = this.window;
    if (existing) return existing;
    const { deps, origin } = this.options;
    const window = deps.createWindow({
      width: 1100,
      height: 720,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'BYOI Node',
      backgroundColor: deps.nativeTheme.shouldUseDarkColors ? '#111318' : '#ffffff',
      webPreferences: {
        preload: this.options.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        // Middle-click would open new windows past setWindowOpenHandler's checks.
        disableBlinkFeatures: 'Auxclick',
        webviewTag: false,
        spellcheck: false,
      },
    });
    this.current = window;
    if (show) window.once('ready-to-show', () => window.show());
    window.on('close', (event) => {
      if (this.options.isQuitting()) return;
      event.preventDefault();
      window.hide();
    });
    window.on('closed', () => {
      if (this.current === window) this.current = null;
    });
    const loaded =
      origin.kind === 'dev' ? window.loadURL(origin.url) : window.loadFile(origin.indexPath);
    loaded.catch((error: unknown) =>
      this.options.logger.error('dashboard did not load', { error: String(error) }),
    );
    return window;
  }

  /** Shows and focuses the window, creating it if needed (tray, second instance, dock). */
  showAndFocus(): WindowLike {
    const existed = this.window !== null;
    const window = this.ensure(true);
    if (!existed) return window; // a new window shows itself once ready-to-show
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    return window;
  }

  /** Sends to the dashboard if it is open (hidden counts: it keeps its state fresh). */
  send(channel: string, payload: unknown): void {
    const window = this.window;
    if (!window || window.webContents.isDestroyed()) return;
    window.webContents.send(channel, payload);
  }

  /** Shows the window on a panel; waits for the page if it is still loading. */
  navigate(to: ShellNavigation): void {
    const window = this.showAndFocus();
    const contents = window.webContents;
    if (contents.isLoading()) {
      contents.once('did-finish-load', () => this.send(IPC_CHANNELS.navigate, to));
    } else {
      this.send(IPC_CHANNELS.navigate, to);
    }
  }
}
