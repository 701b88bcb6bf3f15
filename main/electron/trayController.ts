/**
 * The tray icon: created once, redrawn from each status snapshot at most once a second
 * (snapshots can arrive many times a second while serving; menus are not cheap to rebuild).
 * It lives in the main process, so an engine crash changes its icon but never removes it.
 */
import type { UpdateStatus } from '../../common/ipcContract.js';
import type { NodeStatus } from '../../common/nodeApi.js';
import type { TimerHandle } from '../../common/node/timers.js';
import type { ElectronDeps, ImageLike, TrayLike } from './electronDeps.js';
import { loadTrayIcons } from './trayIcons.js';
import { trayMenuTemplate, type TrayActions } from './trayMenu.js';
import { trayState, trayTooltip, type EngineView, type TrayState } from './trayState.js';
import { TRAY_STRINGS, type TrayLanguage } from './trayStrings.js';

export interface TrayControllerOptions {
  deps: Pick<ElectronDeps, 'createTray' | 'buildMenu' | 'images' | 'timers' | 'now' | 'platform'>;
  /** `app.getAppPath()`: the icons are under its resources/ (tray-<state>.png). */
  appPath: string;
  actions: TrayActions;
  /** The shortest time between two redraws (default 1 s). */
  throttleMs?: number;
}

export class TrayController {
  private tray: TrayLike | null = null;
  private icons: Record<TrayState, ImageLike> | null = null;
  private shownState: TrayState | null = null;
  private latest: { status: NodeStatus | null; engine: EngineView } = {
    status: null,
    engine: { state: 'starting', lastError: null },
  };
  private language: TrayLanguage = 'en';
  private appUpdate: UpdateStatus | null = null;
  private lastRenderAt = -Infinity;
  private timer: TimerHandle | null = null;

  constructor(private readonly options: TrayControllerOptions) {}

  /** The current state, as last drawn. */
  get state(): TrayState | null {
    return this.shownState;
  }

  /** Creates the tray icon (call after app ready). */
  start(): void {
    if (this.tray) return;
    const { deps } = this.options;
    this.icons = loadTrayIcons(deps, this.options.appPath);
    const tray = deps.createTray(this.icons.offline);
    this.tray = tray;
    // Windows users expect a left click to open the app; elsewhere a click opens the menu.
    if (deps.platform === 'win32') tray.on('click', () => this.options.actions.openDashboard());
    this.render();
  }

  /** Takes a new snapshot; draws now, or once the throttle interval has passed. */
  update(status: NodeStatus | null, engine: EngineView): void {
    this.latest = { status, engine };
    this.scheduleRender();
  }

  /** The language of the labels (from the settings); redraws when it changes. */
  setLanguage(language: TrayLanguage): void {
    if (language === this.language) return;
    this.language = language;
    this.scheduleRender();
  }

  /** The app's update ("Restart to update" once downloaded); redraws. */
  setUpdate(update: UpdateStatus): void {
    this.appUpdate = update;
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (!this.tray || this.timer) return;
    const { timers, now } = this.options.deps;
    const wait = this.lastRenderAt + (this.options.throttleMs ?? 1000) - now();
    if (wait <= 0) {
      this.render();
      return;
    }
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      this.render();
    }, wait);
  }

  destroy(): void {
    if (this.timer) this.options.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.tray?.destroy();
    this.tray = null;
  }

  private render(): void {
    const { tray, icons } = this;
    if (!tray || !icons) return;
    const { deps, actions } = this.options;
    const { status, engine } = this.latest;
    this.lastRenderAt = deps.now();
    const strings = TRAY_STRINGS[this.language];
    const state = trayState(status, engine);
    if (state !== this.shownState) {
      tray.setImage(icons[state]);
      this.shownState = state;
    }
    tray.setToolTip(trayTooltip(status, engine, strings));
    const template = trayMenuTemplate(status, engine, actions, deps.now(), {
      strings,
      update: this.appUpdate,
    });
    tray.setContextMenu(deps.buildMenu(template));
  }
}
