/**
 * The scheduling rules as one pure function: settings, signals and the clock in, whether to
 * serve (and why) out. The {@link Scheduler} feeds it; nothing here reads a clock or a device.
 */
import type { ScheduleSettings } from '../../../common/settings.js';
import type { ScheduleState, SignalReadings } from '../../../common/nodeApi.js';
import type { Reason } from '../../../common/reasonCodes.js';
import { explain, type ExplainedReason } from '../englishReasons.js';
import { inWeeklyWindow, nextWindowChange } from './weeklyWindows.js';

/** Which rule made a decision; the first matching rule wins, in this order. */
export type ScheduleRule =
  | 'manual'
  | 'timed-pause'
  | 'temperature'
  | 'gpu-busy'
  | 'battery'
  | 'net-negative'
  | 'always'
  | 'in-window'
  | 'outside-window'
  | 'idle'
  | 'idle-waiting'
  | 'user-active'
  | 'no-idle-signal';

/** One decision: the state, the rule behind it and why, as a code and in English. */
export interface ScheduleVerdict {
  state: ScheduleState;
  rule: ScheduleRule;
  /** The English sentence, for logs, the tray and the gateway. */
  reason: string;
  /** The same reason as a code the dashboard translates. */
  reasonCode: Reason;
  /** cancel running jobs at once rather than after the grace period */
  urgent: boolean;
}

/** Everything {@link decideSchedule} looks at. */
export interface ScheduleInput {
  settings: ScheduleSettings;
  signals: SignalReadings;
  /** true only when the provider enabled pause-when-net-negative and net earnings are below zero */
  netNegative: boolean;
  now: Date;
  /** The last verdict, for the rules with hysteresis (temperature, user activity). */
  previous: ScheduleVerdict | null;
}

/** A hot GPU resumes only this far below the limit, so it does not flap around it. */
export const TEMPERATURE_HYSTERESIS_C = 5;

const verdict = (
  state: ScheduleState,
  rule: ScheduleRule,
  why: ExplainedReason,
  urgent = false,
): ScheduleVerdict => ({ state, rule, reason: why.text, reasonCode: why.code, urgent });

function temperatureRule(input: ScheduleInput): ScheduleVerdict | null {
  const limit = input.settings.maxGpuTemperatureC;
  const reading = input.signals.gpuTemperatureC;
  if (limit === null || reading === null) return null;
  const cooling = input.previous?.rule === 'temperature';
  const resumeBelow = limit - TEMPERATURE_HYSTERESIS_C;
  if (reading >= (cooling ? resumeBelow : limit)) {
    const why =
      reading < limit
        ? explain('schedule.cooling', {
            temperatureC: reading,
            limitC: limit,
            resumeBelowC: resumeBelow,
          })
        : explain('schedule.hot', { temperatureC: reading, limitC: limit });
    return verdict('paused', 'temperature', why, true);
  }
  return null;
}

function scheduledRule(input: ScheduleInput): ScheduleVerdict {
  const { windows } = input.settings;
  if (inWeeklyWindow(windows, input.now))
    return verdict('serving', 'in-window', explain('schedule.inWindow', {}));
  if (windows.length === 0)
    return verdict('waiting', 'outside-window', explain('schedule.noWindows', {}));
  const next = nextWindowChange(windows, input.now);
  return verdict(
    'waiting',
    'outside-window',
    next
      ? explain('schedule.outsideWindowNext', { nextAt: next.toISOString() })
      : explain('schedule.outsideWindow', {}),
  );
}

function idleRule(input: ScheduleInput): ScheduleVerdict {
  const idle = input.signals.userIdleSeconds;
  const threshold = input.settings.idleThresholdSeconds;
  if (idle === null)
    return verdict('waiting', 'no-idle-signal', explain('schedule.noIdleSignal', {}));
  if (idle >= threshold)
    return verdict('serving', 'idle', explain('schedule.idle', { idleSeconds: Math.floor(idle) }));
  // Serving starts only after the threshold but stops the moment input is seen, and the
  // pause stays "user active" until the machine has been idle long enough again.
  const { previous } = input;
  if (previous?.state === 'serving' || previous?.rule === 'user-active')
    return verdict('paused', 'user-active', explain('schedule.userActive', {}), true);
  return verdict(
    'waiting',
    'idle-waiting',
    explain('schedule.idleWaiting', { thresholdSeconds: threshold }),
  );
}

/** Decides whether the node serves now. Rules are checked in order; the first match wins. */
export function decideSchedule(input: ScheduleInput): ScheduleVerdict {
  const { settings, signals, now } = input;
  if (settings.mode === 'paused')
    return verdict('paused', 'manual', explain('schedule.manual', {}));

  const pausedUntil = settings.pausedUntil === null ? null : new Date(settings.pausedUntil);
  if (pausedUntil !== null && pausedUntil.getTime() > now.getTime())
    return verdict(
      'paused',
      'timed-pause',
      explain('schedule.timedPause', { untilAt: pausedUntil.toISOString() }, now),
    );

  const hot = temperatureRule(input);
  if (hot) return hot;

  if (signals.gpuBusyWith !== null && settings.pauseWhenGpuBusy)
    return verdict(
      'paused',
      'gpu-busy',
      explain('schedule.gpuBusy', { program: signals.gpuBusyWith }),
      true,
    );

  if (signals.onBattery === true && settings.pauseOnBattery)
    return verdict('paused', 'battery', explain('schedule.battery', {}));

  if (input.netNegative)
    return verdict('paused', 'net-negative', explain('schedule.netNegative', {}));

  switch (settings.mode) {
    case 'always':
      return verdict('serving', 'always', explain('schedule.always', {}));
    case 'scheduled':
      return scheduledRule(input);
    case 'idle':
      return idleRule(input);
  }
}
