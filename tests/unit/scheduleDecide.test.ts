import { describe, expect, it } from 'vitest';
import type { SignalReadings } from '../../common/nodeApi.js';
import { scheduleSettingsSchema, type ScheduleSettings } from '../../common/settings.js';
import {
  decideSchedule,
  type ScheduleInput,
  type ScheduleVerdict,
} from '../../main/engine/schedule/decide.js';
import { formatDuration } from '../../main/engine/schedule/scheduleText.js';

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
  urgent: false,
});

describe('decideSchedule: the words and the urgency of each rule', () => {
  const cases: Array<[string, () => ScheduleVerdict, Partial<ScheduleVerdict>]> = [
    ['manual', () => decide({ mode: 'paused' }), { reason: 'paused by you', urgent: false }],
    [
      'timed pause, same day',
      () => decide({ pausedUntil: new Date(2026, 10, 23, 14, 30).toISOString() }),
      { rule: 'timed-pause', reason: 'paused until 14:30', urgent: false },
    ],
    [
      'timed pause, another day names the day',
      () => decide({ pausedUntil: new Date(2026, 10, 24, 9, 5).toISOString() }),
      { rule: 'timed-pause', reason: 'paused until Tue 09:05' },
    ],
    [
      'temperature over the limit',
      () => decide({ mode: 'always' }, { gpuTemperatureC: 91 }),
      { rule: 'temperature', reason: 'paused: GPU at 91 °C (limit 85 °C)', urgent: true },
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
        urgent: true,
      },
    ],
    [
      'GPU busy',
      () => decide({ mode: 'always' }, { gpuBusyWith: 'game.exe (pid 4242)' }),
      { rule: 'gpu-busy', reason: 'paused: GPU in use by game.exe (pid 4242)', urgent: true },
    ],
    [
      'battery',
      () => decide({ mode: 'always' }, { onBattery: true }),
      { rule: 'battery', reason: 'paused: on battery', urgent: false },
    ],
    [
      'net negative',
      () => decide({ mode: 'always' }, {}, { netNegative: true }),
      { reason: 'paused: electricity costs more than serving earns', urgent: false },
    ],
    [
      'always',
      () => decide({ mode: 'always' }),
      { state: 'serving', reason: 'serving: always on' },
    ],
    [
      'in a window',
      () => decide({ mode: 'scheduled', windows: [{ days: [1], start: '09:00', end: '17:00' }] }),
      { state: 'serving', rule: 'in-window', reason: 'serving: inside scheduled hours' },
    ],
    [
      'outside windows, with the next start',
      () => decide({ mode: 'scheduled', windows: [{ days: [1], start: '22:00', end: '07:00' }] }),
      {
        state: 'waiting',
        rule: 'outside-window',
        reason: 'waiting: outside scheduled hours (next: Mon 22:00)',
      },
    ],
    [
      'no windows',
      () => decide({ mode: 'scheduled' }),
      { state: 'waiting', reason: 'waiting: no scheduled hours set' },
    ],
    [
      'idle without a signal',
      () => decide({ mode: 'idle' }),
      {
        state: 'waiting',
        rule: 'no-idle-signal',
        reason: "waiting: no user-activity signal (use mode 'always' on a server)",
      },
    ],
    [
      'idle long enough',
      () => decide({ mode: 'idle' }, { userIdleSeconds: 5430 }),
      { state: 'serving', rule: 'idle', reason: 'serving: idle for 1 h 30 min' },
    ],
    [
      'idle, not yet',
      () => decide({ mode: 'idle', idleThresholdSeconds: 90 }, { userIdleSeconds: 10 }),
      { state: 'waiting', rule: 'idle-waiting', reason: 'waiting for 90 s without user input' },
    ],
    [
      'idle, user back while serving',
      () =>
        decide({ mode: 'idle' }, { userIdleSeconds: 1 }, { previous: was('serving', 'always') }),
      { state: 'paused', rule: 'user-active', reason: 'paused: user active', urgent: true },
    ],
  ];
  it.each(cases)('%s', (_label, run, expected) => {
    expect(run()).toMatchObject(expected);
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
