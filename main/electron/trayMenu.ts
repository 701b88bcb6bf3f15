/**
 * The tray menu as a template (a pure function of the status, the update and the language),
 * so the items and what each one calls are tested without Electron. Every item has an `id`.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { UpdateStatus } from '../../common/ipcContract.js';
import type { NodeApiArgs, NodeApiVerb, NodeStatus } from '../../common/nodeApi.js';
import type { ScheduleMode } from '../../common/settings.js';
import { formatUsd, statusLine, type EngineView } from './trayState.js';
import { TRAY_STRINGS, type TrayStrings } from './trayStrings.js';

export interface TrayActions {
  /** Calls the engine; failures are the caller's to log. */
  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): void;
  openDashboard(): void;
  /** "Why am I not earning?": the overview panel's diagnostics. */
  openDiagnostics(): void;
  openLogsFolder(): void;
  restartEngine(): void;
  /** Quits and installs the downloaded update. */
  restartToUpdate(): void;
  quit(): void;
}

/** What the menu shows besides the node's status. */
export interface TrayMenuExtras {
  /** Default: English. */
  strings?: TrayStrings;
  /** The app's update; "Restart to update" appears once it is downloaded. */
  update?: UpdateStatus | null;
}

// Electron checks the first radio of a group when none is, so 'paused' needs its own.
const MODES: readonly ScheduleMode[] = ['idle', 'always', 'scheduled', 'paused'];

export const PAUSE_MINUTES = 60;

/** Paused by hand: mode 'paused', or a timed pause still running. */
export function isManuallyPaused(status: NodeStatus, now: number): boolean {
  const until = status.schedule.pausedUntil;
  return status.schedule.mode === 'paused' || (until !== null && Date.parse(until) > now);
}

export function trayMenuTemplate(
  status: NodeStatus | null,
  engine: EngineView,
  actions: TrayActions,
  now: number,
  { strings = TRAY_STRINGS.en, update = null }: TrayMenuExtras = {},
): MenuItemConstructorOptions[] {
  const up = engine.state === 'running' && status !== null;
  const items: MenuItemConstructorOptions[] = [
    { id: 'status', label: statusLine(status, engine, strings), enabled: false },
  ];
  if (status) {
    items.push({
      id: 'earnings-today',
      label: strings.today(formatUsd(status.earnings.today)),
      enabled: false,
    });
  }
  if (update?.state === 'downloaded' && update.version) {
    items.push(
      { type: 'separator' },
      {
        id: 'restart-to-update',
        label: strings.restartToUpdate(update.version),
        click: () => actions.restartToUpdate(),
      },
    );
  }
  items.push({ type: 'separator' });
  for (const mode of MODES) {
    items.push({
      id: `mode-${mode}`,
      label: strings.modes[mode],
      type: 'radio',
      checked: status?.schedule.mode === mode,
      enabled: up,
      click: () => actions.call('setMode', { mode }),
    });
  }
  items.push({ type: 'separator' });
  if (status && isManuallyPaused(status, now)) {
    items.push({
      id: 'resume',
      label: strings.resume,
      enabled: up,
      click: () => actions.call('resume', {}),
    });
  } else {
    items.push({
      id: 'pause-1h',
      label: strings.pauseHour,
      enabled: up,
      click: () => actions.call('pause', { minutes: PAUSE_MINUTES }),
    });
  }
  items.push(
    { type: 'separator' },
    { id: 'open-dashboard', label: strings.openDashboard, click: () => actions.openDashboard() },
    {
      id: 'why-not-earning',
      label: strings.whyNotEarning,
      click: () => actions.openDiagnostics(),
    },
  );
  if (engine.state === 'restarting') {
    items.push({
      id: 'restart-engine',
      label: strings.restartEngine,
      click: () => actions.restartEngine(),
    });
  }
  items.push(
    { id: 'open-logs', label: strings.openLogs, click: () => actions.openLogsFolder() },
    { type: 'separator' },
    { id: 'quit', label: strings.quit, click: () => actions.quit() },
  );
  return items;
}
