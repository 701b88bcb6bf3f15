/**
 * The app's own updates, through electron-updater's "generic" provider: the feed is a folder
 * served over http(s) that holds the `latest.yml` electron-builder writes (a lab's private
 * gateway can serve it), and its URL comes from the settings. The updater checks as soon as
 * the feed is known (at start, once the engine has sent the settings) and then daily,
 * downloads a newer version in the background, and then offers "Restart to update". A failed
 * check is logged and shown; the app goes on, and the next check tries again.
 */
import type { UpdateStatus } from '../../common/ipcContract.js';
import type { Logger } from '../../common/log.js';
import type { TimerHandle, Timers } from '../../common/node/timers.js';

/** What electron-updater says about a version (its UpdateInfo, the part used here). */
export interface UpdateInfoLike {
  readonly version: string;
}

/** The logger electron-updater writes to. */
export interface UpdaterLogLike {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
}

/** The slice of electron-updater's AppUpdater the updater drives (main.ts passes `autoUpdater`). */
export interface AppUpdaterLike {
  autoDownload: boolean;
  logger: UpdaterLogLike | null;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  /** Null when updates are off (a development build); the download runs on in the background. */
  checkForUpdates(): Promise<{
    readonly isUpdateAvailable: boolean;
    readonly downloadPromise?: Promise<unknown> | null;
  } | null>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update', listener: () => void): unknown;
  on(event: 'update-available', listener: (info: UpdateInfoLike) => void): unknown;
  on(event: 'update-downloaded', listener: (info: UpdateInfoLike) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How long between two checks: a day. */
export const UPDATE_CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface UpdaterOptions {
  appUpdater: AppUpdaterLike;
  timers: Timers;
  now: () => number;
  logger: Logger;
  /** Between two checks (default {@link UPDATE_CHECK_INTERVAL_MS}). */
  checkIntervalMs?: number;
}

/** electron-updater's messages carry stacks and response headers: the first line says it. */
function shortMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Checks the feed, downloads in the background, and installs on "Restart to update". */
export class Updater {
  private current: UpdateStatus = {
    state: 'disabled',
    version: null,
    error: null,
    checkedAt: null,
  };
  private feedURL: string | null = null;
  private timer: TimerHandle | null = null;
  private checkedForRefusal = false;
  private readonly listeners = new Set<(status: UpdateStatus) => void>();

  constructor(private readonly options: UpdaterOptions) {
    const { appUpdater, logger } = options;
    appUpdater.autoDownload = true;
    appUpdater.logger = {
      info: (message) => logger.debug(`electron-updater: ${String(message)}`),
      warn: (message) => logger.warn(`electron-updater: ${String(message)}`),
      // Failures are logged once, in a sentence, by `fail` below.
      error: (message) => logger.debug(`electron-updater: ${String(message)}`),
    };
    appUpdater.on('checking-for-update', () => this.set({ state: 'checking', error: null }));
    appUpdater.on('update-available', (info) => {
      logger.info('an update was found; downloading it in the background', {
        version: info.version,
      });
      this.set({ state: 'downloading', version: info.version, checkedAt: this.isoNow() });
    });
    appUpdater.on('update-downloaded', (info) => {
      logger.info('the update is downloaded; it installs on "Restart to update" or at quit', {
        version: info.version,
      });
      this.clearTimer();
      this.set({ state: 'downloaded', version: info.version, error: null });
    });
    // A failed check also rejects `checkForUpdates` (handled in `check`); a failed download
    // only comes here.
    appUpdater.on('error', (error) => {
      if (this.current.state === 'downloading') this.fail('download', error);
    });
  }

  /** The update's state, as last sent to listeners. */
  get status(): UpdateStatus {
    return { ...this.current };
  }

  /** Calls `listener` on each change; returns the unsubscribe function. */
  onChange(listener: (status: UpdateStatus) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Takes the feed from the settings: a new one is checked now, null turns updates off. */
  configure(feedURL: string | null): void {
    if (feedURL === this.feedURL) return;
    this.feedURL = feedURL;
    this.clearTimer();
    if (this.current.state === 'downloaded') return;
    if (feedURL === null) {
      this.set({ state: 'disabled', version: null, error: null });
      return;
    }
    try {
      this.options.appUpdater.setFeedURL({ provider: 'generic', url: feedURL });
    } catch (error) {
      this.fail('check', error);
      return;
    }
    void this.check();
  }

  /** Checks the feed now (and again a day later), unless updates are off or one is ready. */
  async check(): Promise<void> {
    if (this.feedURL === null || this.current.state === 'downloaded') return;
    this.clearTimer();
    this.schedule();
    try {
      const result = await this.options.appUpdater.checkForUpdates();
      if (result === null) {
        this.clearTimer();
        this.options.logger.info('updates are not checked in a development build');
        this.set({ state: 'disabled' });
        return;
      }
      if (!result.isUpdateAvailable) {
        this.set({ state: 'idle', version: null, checkedAt: this.isoNow() });
      }
      // A failed download comes as an 'error' event, handled there.
      result.downloadPromise?.catch(() => undefined);
    } catch (error) {
      this.fail('check', error);
    }
  }

  /**
   * The network refused this version: checks now rather than at the next daily check, once
   * per run (the status that says so arrives many times).
   */
  networkRequiresUpdate(): void {
    if (this.checkedForRefusal) return;
    this.checkedForRefusal = true;
    this.options.logger.warn('the network requires a newer version of the app');
    void this.check();
  }

  /** Quits and installs the downloaded update; false (and nothing happens) when none is. */
  restartToUpdate(): boolean {
    if (this.current.state !== 'downloaded') return false;
    this.options.logger.info('restarting to install the update', { version: this.current.version });
    // Silent, and the app starts again once installed.
    this.options.appUpdater.quitAndInstall(true, true);
    return true;
  }

  /** Stops the daily check (at quit). */
  stop(): void {
    this.clearTimer();
  }

  private fail(step: 'check' | 'download', error: unknown): void {
    if (this.current.state === 'downloaded') return;
    const message = shortMessage(error);
    this.options.logger.warn(
      `the update ${step} failed (the app goes on, and tries again at the next check): ${message}`,
      { feedURL: this.feedURL },
    );
    this.set({ state: 'error', error: message, checkedAt: this.isoNow() });
  }

  private schedule(): void {
    if (this.feedURL === null || this.current.state === 'downloaded' || this.timer) return;
    const interval = this.options.checkIntervalMs ?? UPDATE_CHECK_INTERVAL_MS;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = null;
      void this.check();
    }, interval);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private isoNow(): string {
    return new Date(this.options.now()).toISOString();
  }

  private set(change: Partial<UpdateStatus>): void {
    this.current = { ...this.current, ...change };
    const snapshot = this.status;
    for (const listener of this.listeners) listener(snapshot);
  }
}
