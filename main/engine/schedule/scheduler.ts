/**
 * The scheduler: keeps the latest signal readings, re-decides on every reading and on a
 * clock tick (for time-based rules), and announces each change of state or rule.
 */
import { EventEmitter } from 'node:events';
import type { ScheduleDecision, ScheduleStatus, SignalReadings } from '../../../common/nodeApi.js';
import type { ScheduleSettings } from '../../../common/settings.js';
import { silentLogger, type Logger } from '../../../common/log.js';
import { decideSchedule, type ScheduleVerdict } from './decide.js';
import type { SignalSource } from './signalSources.js';
import {
  realTimers,
  unrefTimeout,
  type TimerHandle,
  type Timers,
} from '../../../common/node/timers.js';

/** Options for {@link Scheduler}. */
export interface SchedulerOptions {
  /** Read on every decision, so a settings change applies at the next tick() or report(). */
  settings: () => ScheduleSettings;
  /** True when the provider enabled pause-when-net-negative and net earnings are below zero. */
  netNegative?: () => boolean;
  sources: readonly SignalSource[];
  now?: () => Date;
  /** re-decide this often for time-based rules (default 1000 ms); 0 = never (tests call tick()) */
  tickMs?: number;
  logger?: Logger;
  /** Replaces Node's timers (tests). */
  timers?: Timers;
}

/** How many decisions {@link Scheduler.status} keeps. */
export const DECISION_HISTORY = 50;

type StoredReadings = Omit<SignalReadings, 'userIdleSeconds'>;

/** Decides when the node serves; emits `change` with each new state or rule. */
export class Scheduler extends EventEmitter<{ change: [ScheduleVerdict] }> {
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly timers: Timers;
  private readonly tickMs: number;
  private readings: StoredReadings = {
    onBattery: null,
    gpuBusyWith: null,
    gpuTemperatureC: null,
    gpuWatts: null,
  };
  /** Epoch ms of the last user input, derived from the latest idle report; null without one. */
  private idleSinceMs: number | null = null;
  private current: ScheduleVerdict | null = null;
  private sinceMs = 0;
  private decisions: ScheduleDecision[] = [];
  private timer: TimerHandle | null = null;
  private running = false;
  private starting = false;

  constructor(private readonly options: SchedulerOptions) {
    super();
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger ?? silentLogger;
    this.timers = options.timers ?? realTimers;
    this.tickMs = options.tickMs ?? 1000;
  }

  /** Starts the sources and the tick timer (unref'd), then decides once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // Readings a source reports while starting go into the first decision, not one each.
    this.starting = true;
    for (const source of this.options.sources) {
      try {
        source.start((readings) => this.report(readings));
      } catch (error) {
        this.logger.warn('signal source did not start', {
          source: source.name,
          error: String(error),
        });
      }
    }
    this.starting = false;
    this.armTimer();
    this.tick();
  }

  /** Stops the tick timer and every source. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
    for (const source of this.options.sources) {
      try {
        source.stop();
      } catch (error) {
        this.logger.warn('signal source did not stop', {
          source: source.name,
          error: String(error),
        });
      }
    }
  }

  /**
   * Merges readings (sources call this; so do pushes) and re-decides at once — user
   * activity must yield without waiting for a tick. Undefined fields are left as they were.
   */
  report(readings: Partial<SignalReadings>): void {
    const { userIdleSeconds, ...rest } = readings;
    if (userIdleSeconds !== undefined)
      this.idleSinceMs =
        userIdleSeconds === null ? null : this.now().getTime() - userIdleSeconds * 1000;
    for (const [key, value] of Object.entries(rest) as Array<[keyof StoredReadings, never]>)
      if (value !== undefined) this.readings[key] = value;
    if (!this.starting) this.tick();
  }

  /** Re-decides now (after a settings change, or a tick). Returns the verdict. */
  tick(): ScheduleVerdict {
    const now = this.now();
    const previous = this.current;
    const next = decideSchedule({
      settings: this.options.settings(),
      signals: this.signalsAt(now),
      netNegative: this.options.netNegative?.() ?? false,
      now,
      previous,
    });
    this.current = next;
    // A new reason alone (a temperature reading, the idle time growing) is not a decision.
    if (previous && previous.state === next.state && previous.rule === next.rule) return next;
    if (!previous || previous.state !== next.state) this.sinceMs = now.getTime();
    this.decisions.unshift({
      state: next.state,
      reason: next.reason,
      reasonCode: next.reasonCode,
      at: now.toISOString(),
    });
    this.decisions.splice(DECISION_HISTORY);
    this.logger.info('schedule', { state: next.state, reason: next.reason });
    this.emit('change', next);
    return next;
  }

  /** The current verdict (deciding first if nothing was decided yet). */
  get verdict(): ScheduleVerdict {
    return this.current ?? this.tick();
  }

  /** Mode and pausedUntil from settings, the state and why, current signals, recent decisions. */
  status(): ScheduleStatus {
    const verdict = this.verdict;
    const settings = this.options.settings();
    const signals = this.signalsAt(this.now());
    return {
      mode: settings.mode,
      state: verdict.state,
      reason: verdict.reason,
      reasonCode: verdict.reasonCode,
      since: new Date(this.sinceMs).toISOString(),
      pausedUntil: settings.pausedUntil,
      signals: {
        ...signals,
        userIdleSeconds:
          signals.userIdleSeconds === null ? null : Math.floor(signals.userIdleSeconds),
      },
      decisions: this.decisions.map((d) => ({ ...d })),
    };
  }

  /** Readings as of `now`: idle time grows from the last report until the next one. */
  private signalsAt(now: Date): SignalReadings {
    const userIdleSeconds =
      this.idleSinceMs === null ? null : Math.max(0, (now.getTime() - this.idleSinceMs) / 1000);
    return { ...this.readings, userIdleSeconds };
  }

  private armTimer(): void {
    if (this.tickMs <= 0 || !this.running) return;
    this.timer = unrefTimeout(
      this.timers,
      () => {
        try {
          this.tick();
        } catch (error) {
          // A throwing 'change' listener must not end the ticks or the process.
          this.logger.error('schedule tick failed', { error: String(error) });
        }
        this.armTimer();
      },
      this.tickMs,
    );
  }
}
