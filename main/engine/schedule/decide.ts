/**
 * The scheduling rules as one pure function: settings, signals and the clock in, whether to
 * serve (and why) out. The {@link Scheduler} feeds it; nothing here reads a clock or a device.
 */
import type { ScheduleSettings } from '../../../common/settings.js';
import type { ScheduleState, SignalReadings } from '../../../common/nodeApi.js';
import { formatClockFrom, formatDuration, formatWeekdayClock } from './scheduleText.js';
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

/** One decision: the state, the rule behind it and the sentence the provider sees. */
export interface ScheduleVerdict {
  state: ScheduleState;
  rule: ScheduleRule;
  reason: string;
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
  reason: string,
  urgent = false,
): ScheduleVerdict => ({ state, rule, reason, urgent });

function degrees(celsius: number): string {
  return `${Math.round(celsius)} °C`;
}

function temperatureRule(input: ScheduleInput): ScheduleVerdict | null {
  const limit = input.settings.maxGpuTemperatureC;
  const reading = input.signals.gpuTemperatureC;
  if (limit === null || reading === null) return null;
  const cooling = input.previous?.rule === 'temperature';
  const resumeBelow = limit - TEMPERATURE_HYSTERESIS_C;
  if (reading >= (cooling ? resumeBelow : limit)) {
    const detail =
      reading < limit
        ? `limit ${degrees(limit)}, resuming below ${degrees(resumeBelow)}`
        : `limit ${degrees(limit)}`;
    return verdict('paused', 'temperature', `paused: GPU at ${degrees(reading)} (${detail})`, true);
  }
  return null;
}

function scheduledRule(input: ScheduleInput): ScheduleVerdict {
  const { windows } = input.settings;
  if (inWeeklyWindow(windows, input.now))
    return verdict('serving', 'in-window', 'serving: inside scheduled hours');
  if (windows.length === 0)
    return verdict('waiting', 'outside-window', 'waiting: no scheduled hours set');
  const next = nextWindowChange(windows, input.now);
  const when = next ? ` (next: ${formatWeekdayClock(next)})` : '';
  return verdict('waiting', 'outside-window', `waiting: outside scheduled hours${when}`);
}

function idleRule(input: ScheduleInput): ScheduleVerdict {
  const idle = input.signals.userIdleSeconds;
  const threshold = input.settings.idleThresholdSeconds;
  if (idle === null)
    return verdict(
      'waiting',
      'no-idle-signal',
      "waiting: no user-activity signal (use mode 'always' on a server)",
    );
  if (idle >= threshold)
    return verdict('serving', 'idle', `serving: idle for ${formatDuration(idle)}`);
  // Serving starts only after the threshold but stops the moment input is seen, and the
  // pause stays "user active" until the machine has been idle long enough again.
  const { previous } = input;
  if (previous?.state === 'serving' || previous?.rule === 'user-active')
    return verdict('paused', 'user-active', 'paused: user active', true);
  return verdict(
    'waiting',
    'idle-waiting',
    `waiting for ${formatDuration(threshold)} without user input`,
  );
}

/** Decides whether the node serves now. Rules are checked in order; the first match wins. */
export function decideSchedule(input: ScheduleInput): ScheduleVerdict {
  const { settings, signals, now } = input;
  if (settings.mode === 'paused') return verdict('paused', 'manual', 'paused by you');

  const pausedUntil = settings.pausedUntil === null ? null : new Date(settings.pausedUntil);
  if (pausedUntil !== null && pausedUntil.getTime() > now.getTime())
    return verdict('paused', 'timed-pause', `paused until ${formatClockFrom(pausedUntil, now)}`);

  const hot = temperatureRule(input);
  if (hot) return hot;

  if (signals.gpuBusyWith !== null && settings.pauseWhenGpuBusy)
    return verdict('paused', 'gpu-busy', `paused: GPU in use by ${signals.gpuBusyWith}`, true);

  if (signals.onBattery === true && settings.pauseOnBattery)
    return verdict('paused', 'battery', 'paused: on battery');

  if (input.netNegative)
    return verdict('paused', 'net-negative', 'paused: electricity costs more than serving earns');

  switch (settings.mode) {
    case 'always':
      return verdict('serving', 'always', 'serving: always on');
    case 'scheduled':
      return scheduledRule(input);
    case 'idle':
      return idleRule(input);
  }
}
