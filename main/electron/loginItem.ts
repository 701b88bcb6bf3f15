/**
 * "Start at login", from `settings.startAtLogin`, applied only once onboarding is done (the
 * app never registers itself before the provider has seen what it does). macOS and Windows
 * use `app.setLoginItemSettings`; Linux, where Electron does not implement it, gets an XDG
 * autostart entry. The app then starts hidden, in the tray.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import type { Settings } from '../../common/settings.js';
import type { AppLike } from './electronDeps.js';

/** Passed by the login item: start in the tray without opening the window. */
export const HIDDEN_ARG = '--hidden';

export interface LoginItemOptions {
  app: Pick<AppLike, 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  /** The executable to start (the AppImage on Linux when there is one). */
  execPath: string;
  /** `$XDG_CONFIG_HOME` or `~/.config` (Linux). */
  configHome: string;
  /** False in development: the settings are then only logged, never applied. */
  active: boolean;
  logger: Logger;
}

/** Whether this launch came from the login item. */
export function launchedHidden(
  argv: readonly string[],
  loginItem: { wasOpenedAtLogin?: boolean },
): boolean {
  return argv.includes(HIDDEN_ARG) || loginItem.wasOpenedAtLogin === true;
}

/** The XDG autostart entry for Linux. */
export function autostartDesktopEntry(execPath: string): string {
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=BYOI Node',
    'Comment=Lend this computer to the BYOI network while it is idle',
    `Exec=${quoted} ${HIDDEN_ARG}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

/** Keeps the OS login item in line with the settings; only calls the OS when they change. */
export class LoginItem {
  private applied: boolean | null = null;

  constructor(private readonly options: LoginItemOptions) {}

  async apply(settings: Pick<Settings, 'onboarded' | 'startAtLogin'>): Promise<void> {
    if (!settings.onboarded) return;
    const wanted = settings.startAtLogin;
    if (this.applied === wanted) return;
    this.applied = wanted;
    const { app, platform, logger } = this.options;
    if (!this.options.active) {
      logger.info('start at login not applied in development', { enabled: wanted });
      return;
    }
    try {
      if (platform === 'linux') await this.applyLinux(wanted);
      else app.setLoginItemSettings({ openAtLogin: wanted, args: [HIDDEN_ARG] });
      logger.info('start at login', { enabled: wanted });
    } catch (error) {
      this.applied = null;
      logger.warn('could not change start at login', { error: String(error) });
    }
  }

  private async applyLinux(wanted: boolean): Promise<void> {
    const dir = join(this.options.configHome, 'autostart');
    const file = join(dir, 'byoi-node.desktop');
    if (!wanted) {
      await rm(file, { force: true });
      return;
    }
    await mkdir(dir, { recursive: true });
    await writeFile(file, autostartDesktopEntry(this.options.execPath), { mode: 0o644 });
  }
}
