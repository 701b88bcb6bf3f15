/**
 * The OS signals only the main process can read, pushed to the engine's scheduler with
 * `reportSignals`:
 * - user idle time, polled every second (the scheduler extrapolates between reports, so a
 *   user who keeps working must be reported as 0 every time, not only on change);
 * - battery, at start and on each `on-battery` / `on-ac`;
 * - "the user is back" at once on `unlock-screen` and `user-did-become-active` (macOS), so
 *   the node yields the GPU without waiting for the next poll.
 * On `suspend` polling stops: the engine is frozen with the rest of the machine, and a
 * report would only be stale. On `resume` it reports the fresh idle time at once and polls
 * again.
 */
import type { Logger } from '../../common/log.js';
import type { NodeApiArgs } from '../../common/nodeApi.js';
import type { TimerHandle, Timers } from '../../common/node/timers.js';
import type { PowerMonitorLike } from './electronDeps.js';

export type SignalReport = NodeApiArgs<'reportSignals'>;

export interface OsSignalsOptions {
  powerMonitor: PowerMonitorLike;
  /** Sends to the engine (`reportSignals`); a rejection is logged once per run of failures. */
  report: (signals: SignalReport) => Promise<unknown>;
  /** Reports are skipped while the engine is not running. */
  engineRunning: () => boolean;
  timers: Timers;
  logger: Logger;
  /** Default 1 s. */
  intervalMs?: number;
}

export interface OsSignals {
  /** Sends every reading now (after the engine (re)started: it remembers nothing). */
  resendAll(): void;
  stop(): void;
}

export function startOsSignals(options: OsSignalsOptions): OsSignals {
  const { powerMonitor, timers, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  let timer: TimerHandle | null = null;
  let failing = false;
  let stopped = false;

  const send = (signals: SignalReport) => {
    if (!options.engineRunning()) return;
    options.report(signals).then(
      () => (failing = false),
      (error: unknown) => {
        if (!failing) logger.warn('could not report OS signals', { error: String(error) });
        failing = true;
      },
    );
  };
  const readIdle = (): number => {
    try {
      return Math.max(0, powerMonitor.getSystemIdleTime());
    } catch {
      return 0;
    }
  };
  const readBattery = (): boolean | undefined => {
    try {
      return powerMonitor.isOnBatteryPower();
    } catch {
      return undefined;
    }
  };
  const poll = () => {
    timer = null;
    if (stopped) return;
    send({ userIdleSeconds: readIdle() });
    timer = timers.setTimeout(poll, intervalMs);
    timer.unref();
  };
  const stopPolling = () => {
    if (timer) timers.clearTimeout(timer);
    timer = null;
  };

  const listeners: Record<string, () => void> = {
    'on-battery': () => send({ onBattery: true }),
    'on-ac': () => send({ onBattery: false }),
    suspend: () => stopPolling(),
    resume: () => {
      stopPolling();
      poll();
    },
    'unlock-screen': () => send({ userIdleSeconds: 0 }),
    'user-did-become-active': () => send({ userIdleSeconds: 0 }),
  };
  for (const [event, listener] of Object.entries(listeners)) powerMonitor.on(event, listener);

  const resendAll = () => {
    const onBattery = readBattery();
    send({ userIdleSeconds: readIdle(), ...(onBattery === undefined ? {} : { onBattery }) });
  };
  resendAll();
  timer = timers.setTimeout(poll, intervalMs);
  timer.unref();

  return {
    resendAll,
    stop() {
      stopped = true;
      stopPolling();
      for (const [event, listener] of Object.entries(listeners)) {
        powerMonitor.removeListener(event, listener);
      }
    },
  };
}
