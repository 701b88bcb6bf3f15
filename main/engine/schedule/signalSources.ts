/**
 * Where the scheduler's readings come from: pushes from the Electron shell or a script, and
 * pollers for the battery and (in nvidiaGpuSignals.ts) the GPU.
 */
import si from 'systeminformation';
import type { SignalReadings } from '../../../common/nodeApi.js';
import { silentLogger, type Logger } from '../../../common/log.js';
import { realTimers, unrefTimeout, type TimerHandle, type Timers } from '../../../common/node/timers.js';

/** A producer of signal readings; the scheduler starts and stops it. */
export interface SignalSource {
  readonly name: string;
  start(report: (readings: Partial<SignalReadings>) => void): void;
  stop(): void;
}

/**
 * Readings pushed from outside: the Electron shell's powerMonitor, or a script through the
 * control API (NodeApi.reportSignals). Pushes made before start() are kept and replayed on
 * start, so a battery state reported early is not lost.
 */
export class PushedSignals implements SignalSource {
  readonly name: string;
  private report: ((readings: Partial<SignalReadings>) => void) | null = null;
  private latest: Partial<SignalReadings> = {};

  constructor(name = 'pushed') {
    this.name = name;
  }

  start(report: (readings: Partial<SignalReadings>) => void): void {
    this.report = report;
    if (Object.keys(this.latest).length > 0) report({ ...this.latest });
  }

  stop(): void {
    this.report = null;
  }

  /** Forwards readings to the scheduler (or keeps them until start). */
  push(readings: Partial<SignalReadings>): void {
    const defined = Object.fromEntries(
      Object.entries(readings).filter(([, value]) => value !== undefined),
    ) as Partial<SignalReadings>;
    this.latest = { ...this.latest, ...defined };
    this.report?.(defined);
  }
}

/** What one poll found: readings to report (omitted fields keep their last value), and whether to go on. */
export interface PollOutcome {
  readings?: Partial<SignalReadings>;
  /** Stop polling after this report (the tool is not installed). */
  done?: boolean;
}

/** Options for {@link pollingSource}. */
export interface PollingOptions {
  name: string;
  intervalMs: number;
  poll: () => Promise<PollOutcome>;
  timers?: Timers;
  logger?: Logger;
}

/**
 * A source that polls at once on start, then `intervalMs` after each poll finishes, so a
 * slow poll delays the next instead of stacking on it. Timers are unref'd. A poll still in
 * flight when stop() is called reports nothing.
 */
export function pollingSource(options: PollingOptions): SignalSource {
  const timers = options.timers ?? realTimers;
  const logger = options.logger ?? silentLogger;
  type Report = (readings: Partial<SignalReadings>) => void;
  interface Session {
    report: Report;
    handle: TimerHandle | null;
  }
  // Each start gets its own session, so a poll still running from before a stop cannot report.
  let active: Session | null = null;
  let failing = false;

  const pollOnce = async (session: Session): Promise<void> => {
    session.handle = null;
    let outcome: PollOutcome = {};
    try {
      outcome = await options.poll();
      if (failing) logger.info('signal source recovered', { source: options.name });
      failing = false;
    } catch (error) {
      // Once per run of failures: a broken sensor should not fill the log every interval.
      if (!failing)
        logger.warn('signal source failed', { source: options.name, error: String(error) });
      failing = true;
    }
    if (active !== session) return;
    if (outcome.readings && Object.keys(outcome.readings).length > 0) {
      try {
        session.report(outcome.readings);
      } catch (error) {
        // Nobody awaits this loop, so a throwing listener must not become an unhandled rejection.
        logger.error('signal report failed', { source: options.name, error: String(error) });
      }
    }
    // The report may have stopped this source (a listener calling stop).
    if (outcome.done || active !== session) return;
    session.handle = unrefTimeout(timers, () => void pollOnce(session), options.intervalMs);
  };

  const stop = (): void => {
    if (active?.handle) timers.clearTimeout(active.handle);
    active = null;
  };

  return {
    name: options.name,
    start(report) {
      stop();
      const session: Session = { report, handle: null };
      active = session;
      void pollOnce(session);
    },
    stop,
  };
}

/** What {@link batterySignal} reads; systeminformation's `battery()` has these fields. */
export interface BatteryReading {
  hasBattery: boolean;
  acConnected: boolean;
}

/** Options for {@link batterySignal}. */
export interface BatterySignalOptions {
  /** Default 30 s. */
  intervalMs?: number;
  /** Replaces systeminformation (tests). */
  read?: () => Promise<BatteryReading>;
  timers?: Timers;
  logger?: Logger;
}

/**
 * systeminformation.battery() every 30 s: onBattery = hasBattery && !acConnected; null when
 * there is no battery. A failed read keeps the last reading rather than guessing.
 */
export function batterySignal(options: BatterySignalOptions = {}): SignalSource {
  const read = options.read ?? (() => si.battery());
  return pollingSource({
    name: 'battery',
    intervalMs: options.intervalMs ?? 30_000,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    poll: async () => {
      const battery = await read();
      return { readings: { onBattery: battery.hasBattery ? !battery.acConnected : null } };
    },
  });
}
