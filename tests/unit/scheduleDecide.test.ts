import { describe, expect, it } from 'vitest';
import type { SignalReadings } from '../../common/nodeApi.js';
import { scheduleSettingsSchema, type ScheduleSettings } from '../../common/settings.js';
import {
  decideSchedule,
  type ScheduleInput,
  type ScheduleVerdict,
} from '../../main/engine/schedule/decide.js';
import { formatDuration } from '../../main/engine/schedule/scheduleText.js';
import {
  REASON_PARAMS,
  type Reason,
  type ReasonCode,
  type ReasonParams,
} from '../../common/reasonCodes.js';

// Local-time constructor, so the texts below hold in any time zone. 23 Nov 2026 is a Monday.
const MONDAY_NOON = new Date(2026, 10, 23, 12, 0);
const NO_SIGNALS: SignalReadings = {
  userIdleSeconds: null,
  onBattery: null,
  gpuBusyWith: null,
  gpuTemperatureC: null,
  gpuWatts: null,
};

function decide(
  settings: Partial<ScheduleSettings>,
  signals: Partial<SignalReadings> = {},
  extra: Partial<Omit<ScheduleInput, 'settings' | 'signals'>> = {},
): ScheduleVerdict {
  return decideSchedule({
    settings: scheduleSettingsSchema.parse(settings),
    signals: { ...NO_SIGNALS, ...signals },
    netNegative: false,
    now: MONDAY_NOON,
    previous: null,
    ...extra,
  });
}

const was = (state: ScheduleVerdict['state'], rule: ScheduleVerdict['rule']): ScheduleVerdict => ({
  state,
  rule,
  reason: '',
  reasonCode: { code: 'schedule.always', params: {} },
  urgent: false,
});

/** The reason a rule gives, as the dashboard receives it. */
const code = <C extends ReasonCode>(name: C, ...params: [] | [ReasonParams<C>]): Reason => ({
  code: name,
  params: params[0] ?? {},
});

describe('decideSchedule: the reason (as a code and in English) and the urgency of each rule', () => {
  const cases: Array<[string, () => ScheduleVerdict, Partial<ScheduleVerdict>]> = [
    [
      'manual',
      () => decide({ mode: 'paused' }),
      { reason: 'paused by you', reasonCode: code('schedule.manual'), urgent: false },
    ],
    [
      'timed pause, same day',
      () => decide({ pausedUntil: new Date(2026, 10, 23, 14, 30).toISOString() }),
      {
        rule: 'timed-pause',
        reason: 'paused until 14:30',
        reasonCode: code('schedule.timedPause', {
          untilAt: new Date(2026, 10, 23, 14, 30).toISOString(),
        }),
        urgent: false,
      },
    ],
    [
      'timed pause, another day names the day',
      () => decide({ pausedUntil: new Date(2026, 10, 24, 9, 5).toISOString() }),
      {
        rule: 'timed-pause',
        reason: 'paused until Tue 09:05',
        reasonCode: code('schedule.timedPause', {
          untilAt: new Date(2026, 10, 24, 9, 5).toISOString(),
        }),
      },
    ],
    [
      'temperature over the limit',
      () => decide({ mode: 'always' }, { gpuTemperatureC: 91 }),
      {
        rule: 'temperature',
        reason: 'paused: GPU at 91 °C (limit 85 °C)',
        reasonCode: code('schedule.hot', { temperatureC: 91, limitC: 85 }),
        urgent: true,
      },
    ],
    [
      'temperature while cooling down',
      () =>
        decide(
          { mode: 'always' },
          { gpuTemperatureC: 82.4 },
          { previous: was('paused', 'temperature') },
        ),
      {
        rule: 'temperature',
        reason: 'paused: GPU at 82 °C (limit 85 °C, resuming below 80 °C)',
        reasonCode: code('schedule.cooling', { temperatureC: 82.4, limitC: 85, resumeBelowC: 80 }),
        urgent: true,
      },
    ],
    [
      'GPU busy',
      () => decide({ mode: 'always' }, { gpuBusyWith: 'game.exe (pid 4242)' }),
      {
        rule: 'gpu-busy',
        reason: 'paused: GPU in use by game.exe (pid 4242)',
        reasonCode: code('schedule.gpuBusy', { program: 'game.exe (pid 4242)' }),
        urgent: true,
      },
    ],
    [
      'battery',
      () => decide({ mode: 'always' }, { onBattery: true }),
      {
        rule: 'battery',
        reason: 'paused: on battery',
        reasonCode: code('schedule.battery'),
        urgent: false,
      },
    ],
    [
      'net negative',
      () => decide({ mode: 'always' }, {}, { netNegative: true }),
      {
        reason: 'paused: electricity costs more than serving earns',
        reasonCode: code('schedule.netNegative'),
        urgent: false,
      },
    ],
    [
      'always',
      () => decide({ mode: 'always' }),
      { state: 'serving', reason: 'serving: always on', reasonCode: code('schedule.always') },
    ],
    [
      'in a window',
      () => decide({ mode: 'scheduled', windows: [{ days: [1], start: '09:00', end: '17:00' }] }),
      {
        state: 'serving',
        rule: 'in-window',
        reason: 'serving: inside scheduled hours',
        reasonCode: code('schedule.inWindow'),
      },
    ],
    [
      'outside windows, with the next start',
      () => decide({ mode: 'scheduled', windows: [{ days: [1], start: '22:00', end: '07:00' }] }),
      {
        state: 'waiting',
        rule: 'outside-window',
        reason: 'waiting: outside scheduled hours (next: Mon 22:00)',
        reasonCode: code('schedule.outsideWindowNext', {
          nextAt: new Date(2026, 10, 23, 22, 0).toISOString(),
        }),
      },
    ],
    [
      'no windows',
      () => decide({ mode: 'scheduled' }),
      {
        state: 'waiting',
        reason: 'waiting: no scheduled hours set',
        reasonCode: code('schedule.noWindows'),
      },
    ],
    [
      'idle without a signal',
      () => decide({ mode: 'idle' }),
      {
        state: 'waiting',
        rule: 'no-idle-signal',
        reason: "waiting: no user-activity signal (use mode 'always' on a server)",
        reasonCode: code('schedule.noIdleSignal'),
      },
    ],
    [
      'idle long enough',
      () => decide({ mode: 'idle' }, { userIdleSeconds: 5430 }),
      {
        state: 'serving',
        rule: 'idle',
        reason: 'serving: idle for 1 h 30 min',
        reasonCode: code('schedule.idle', { idleSeconds: 5430 }),
      },
    ],
    [
      'idle, not yet',
      () => decide({ mode: 'idle', idleThresholdSeconds: 90 }, { userIdleSeconds: 10 }),
      {
        state: 'waiting',
        rule: 'idle-waiting',
        reason: 'waiting for 90 s without user input',
        reasonCode: code('schedule.idleWaiting', { thresholdSeconds: 90 }),
      },
    ],
    [
      'idle, user back while serving',
      () =>
        decide({ mode: 'idle' }, { userIdleSeconds: 1 }, { previous: was('serving', 'always') }),
      {
        state: 'paused',
        rule: 'user-active',
        reason: 'paused: user active',
        reasonCode: code('schedule.userActive'),
        urgent: true,
      },
    ],
  ];
  it.each(cases)('%s', (_label, run, expected) => {
    const verdict = run();
    expect(verdict).toMatchObject(expected);
    // Exactly these parameters: the dashboard's text has a placeholder for each.
    expect(verdict.reasonCode).toEqual(expected.reasonCode);
  });

  it('every rule gives a code the dashboard can translate', () => {
    for (const [, run] of cases)
      expect(Object.keys(REASON_PARAMS)).toContain(run().reasonCode.code);
  });

  it('a switched-off rule lets the next one decide', () => {
    const hotBusyOnBattery = { gpuTemperatureC: 99, gpuBusyWith: 'x (pid 1)', onBattery: true };
    const all = { mode: 'always' as const, maxGpuTemperatureC: null, pauseWhenGpuBusy: false };
    expect(decide(all, hotBusyOnBattery).rule).toBe('battery');
    expect(decide({ ...all, pauseOnBattery: false }, hotBusyOnBattery).rule).toBe('always');
  });

  it('a timed pause in the past is over', () => {
    const verdict = decide({
      mode: 'always',
      pausedUntil: new Date(2026, 10, 23, 11, 59).toISOString(),
    });
    expect(verdict.rule).toBe('always');
  });
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [-5, '0 s'],
    [59.9, '59 s'],
    [90, '90 s'],
    [119, '119 s'],
    [120, '2 min'],
    [300, '5 min'],
    [3599, '59 min'],
    [3600, '1 h'],
    [5400, '1 h 30 min'],
    [86_400, '24 h'],
  ];
  it.each(cases)('%d s reads "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
