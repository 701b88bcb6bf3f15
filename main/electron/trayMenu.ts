/**
 * The tray menu as a template (a pure function of the status), so the items and what each
 * one calls are tested without Electron. Every item has an `id`.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { NodeApiArgs, NodeApiVerb, NodeStatus } from '../../common/nodeApi.js';
import type { ScheduleMode } from '../../common/settings.js';
import { formatUsd, statusLine, type EngineView } from './trayState.js';

export interface TrayActions {
  /** Calls the engine; failures are the caller's to log. */
  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): void;
  openDashboard(): void;
  /** "Why am I not earning?": the overview panel's diagnostics. */
  openDiagnostics(): void;
  openLogsFolder(): void;
  restartEngine(): void;
  quit(): void;
}

const MODES: readonly { mode: ScheduleMode; label: string }[] = [
  { mode: 'idle', label: 'Only when idle' },
  { mode: 'always', label: 'Always on' },
  { mode: 'scheduled', label: 'On a schedule' },
  // Electron checks the first radio of a group when none is, so 'paused' needs its own.
  { mode: 'paused', label: 'Paused until resumed' },
];

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
): MenuItemConstructorOptions[] {
  const up = engine.state === 'running' && status !== null;
  const items: MenuItemConstructorOptions[] = [
    { id: 'status', label: statusLine(status, engine), enabled: false },
  ];
  if (status) {
    items.push({
      id: 'earnings-today',
      label: `Today: ${formatUsd(status.earnings.today)}`,
      enabled: false,
    });
  }
  items.push({ type: 'separator' });
  for (const { mode, label } of MODES) {
    items.push({
      id: `mode-${mode}`,
      label,
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
      label: 'Resume',
      enabled: up,
      click: () => actions.call('resume', {}),
    });
  } else {
    items.push({
      id: 'pause-1h',
      label: 'Pause for 1 hour',
      enabled: up,
      click: () => actions.call('pause', { minutes: PAUSE_MINUTES }),
    });
  }
  items.push(
    { type: 'separator' },
    { id: 'open-dashboard', label: 'Open dashboard', click: () => actions.openDashboard() },
    {
      id: 'why-not-earning',
      label: 'Why am I not earning?',
      click: () => actions.openDiagnostics(),
    },
  );
  if (engine.state === 'restarting') {
    items.push({
      id: 'restart-engine',
      label: 'Restart engine now',
      click: () => actions.restartEngine(),
    });
  }
  items.push(
    { id: 'open-logs', label: 'Open logs folder', click: () => actions.openLogsFolder() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit BYOI Node', click: () => actions.quit() },
  );
  return items;
}
