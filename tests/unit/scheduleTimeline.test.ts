import { describe, expect, it } from 'vitest';
import type { ScheduleState, SignalReadings } from '../../common/nodeApi.js';
import { scheduleSettingsSchema, type ScheduleSettings } from '../../common/settings.js';
import type { ScheduleRule } from '../../main/engine/schedule/decide.js';
import { Scheduler } from '../../main/engine/schedule/scheduler.js';

/**
 * Each timeline runs through a real Scheduler with an injected clock and tickMs 0: a step
 * moves the clock to `at` (offset from the timeline's start), applies settings, then either
 * reports signals (which re-decides at once) or ticks.
 */
interface Step {
  /** Offset from the start: seconds, or '+1h30m', '+90s', '+2m'. */
  at: number | `+${string}`;
  signals?: Partial<SignalReadings>;
  settings?: Partial<ScheduleSettings>;
  netNegative?: boolean;
  expect: { state: ScheduleState; rule: ScheduleRule; reason?: string; urgent?: boolean };
}

interface Timeline {
  name: string;
  start: Date;
  settings?: Partial<ScheduleSettings>;
  steps: Step[];
  /** How many decisions the scheduler recorded by the end (only state/rule changes count). */
  decisions?: number;
}

function offsetMs(at: Step['at']): number {
  if (typeof at === 'number') return at * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };
  const parts = [...at.matchAll(/(\d+)([hms])/g)];
  if (parts.length === 0) throw new Error(`bad offset ${at}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? 's'] ?? 0), 0);
}

function runTimeline(timeline: Timeline): Scheduler {
  let clock = timeline.start;
  let settings = scheduleSettingsSchema.parse(timeline.settings ?? {});
  let netNegative = false;
  const scheduler = new Scheduler({
    settings: () => settings,
    netNegative: () => netNegative,
    sources: [],
    now: () => clock,
    tickMs: 0,
  });
  let last = -Infinity;
  for (const [index, step] of timeline.steps.entries()) {
    const offset = offsetMs(step.at);
    if (offset < last) throw new Error(`step ${index} goes back in time`);
    last = offset;
    clock = new Date(timeline.start.getTime() + offset);
    if (step.settings) settings = scheduleSettingsSchema.parse({ ...settings, ...step.settings });
    if (step.netNegative !== undefined) netNegative = step.netNegative;
    if (step.signals) scheduler.report(step.signals);
    else scheduler.tick();
    expect(scheduler.verdict, `step ${index} at ${String(step.at)}`).toMatchObject(step.expect);
  }
  return scheduler;
}

// Local-time constructor, so these timelines hold in any time zone (no DST change in late
// November 2026). Mon 23, Wed 25, Sat 28, Sun 29 November.
const nov = (day: number, hours: number, minutes = 0) => new Date(2026, 10, day, hours, minutes);
const MON_10 = nov(23, 10);
type Extra = Omit<Step['expect'], 'state' | 'rule'>;
const expecting =
  (state: ScheduleState) =>
  (rule: ScheduleRule, extra: Extra | string = {}) => ({
    state,
    rule,
    ...(typeof extra === 'string' ? { reason: extra } : extra),
  });
const serving = expecting('serving');
const waiting = expecting('waiting');
const paused = expecting('paused');
const outside = (next: string) =>
  waiting('outside-window', `waiting: outside scheduled hours (next: ${next})`);

const timelines: Timeline[] = [
  {
    name: 'idle: serves only after the threshold, pauses at once when the user returns',
    start: MON_10,
    settings: { mode: 'idle', idleThresholdSeconds: 300 },
    steps: [
      { at: '+0s', signals: { userIdleSeconds: 0 }, expect: waiting('idle-waiting') },
      { at: 299, expect: waiting('idle-waiting', 'waiting for 5 min without user input') },
      { at: 300, expect: serving('idle', 'serving: idle for 5 min') },
      { at: 400, signals: { userIdleSeconds: 0 }, expect: paused('user-active', { urgent: true }) },
      { at: 699, expect: paused('user-active') },
      { at: 700, expect: serving('idle') },
    ],
    decisions: 4,
  },
  {
    name: 'idle: extrapolates between reports, and a smaller report means input was seen',
    start: MON_10,
    settings: { mode: 'idle', idleThresholdSeconds: 300 },
    steps: [
      { at: 0, signals: { userIdleSeconds: 120 }, expect: waiting('idle-waiting') },
      { at: 179, expect: waiting('idle-waiting') },
      { at: 180, expect: serving('idle') },
      // A report that agrees with the extrapolation changes nothing.
      { at: 240, signals: { userIdleSeconds: 360 }, expect: serving('idle') },
      { at: 250, signals: { userIdleSeconds: 3 }, expect: paused('user-active') },
      { at: 546, expect: paused('user-active') },
      { at: 547, expect: serving('idle') },
    ],
    decisions: 4,
  },
  {
    name: 'idle: no signal waits, a signal serves, losing it waits again',
    start: MON_10,
    settings: { mode: 'idle' },
    steps: [
      { at: 0, expect: waiting('no-idle-signal') },
      { at: 10, signals: { userIdleSeconds: 600 }, expect: serving('idle') },
      { at: 20, signals: { userIdleSeconds: null }, expect: waiting('no-idle-signal') },
      { at: 30, settings: { mode: 'always' }, expect: serving('always') },
    ],
  },
  {
    name: 'idle: a higher rule in between forgets that the user was active',
    start: MON_10,
    settings: { mode: 'idle', idleThresholdSeconds: 60 },
    steps: [
      { at: 0, signals: { userIdleSeconds: 100 }, expect: serving('idle') },
      { at: 10, signals: { onBattery: true }, expect: paused('battery') },
      { at: 20, signals: { userIdleSeconds: 0 }, expect: paused('battery') },
      { at: 30, signals: { onBattery: false }, expect: waiting('idle-waiting') },
    ],
  },
  {
    name: 'scheduled: Monday overnight window across midnight',
    start: nov(23, 21, 59),
    settings: { mode: 'scheduled', windows: [{ days: [1], start: '22:00', end: '07:00' }] },
    steps: [
      { at: 0, expect: outside('Mon 22:00') },
      { at: '+1m', expect: serving('in-window', 'serving: inside scheduled hours') },
      { at: '+2h1m', expect: serving('in-window') },
      { at: '+9h', expect: serving('in-window') },
      { at: '+9h1m', expect: waiting('outside-window', { urgent: false }) },
    ],
    decisions: 3,
  },
  {
    name: 'scheduled: a Saturday overnight window wraps to Sunday',
    start: nov(28, 21, 0),
    settings: { mode: 'scheduled', windows: [{ days: [6], start: '22:00', end: '07:00' }] },
    steps: [
      { at: 0, expect: outside('Sat 22:00') },
      { at: '+1h', expect: serving('in-window') },
      { at: '+3h', expect: serving('in-window') },
      { at: '+9h59m', expect: serving('in-window') },
      { at: '+10h', expect: outside('Sat 22:00') },
    ],
  },
  {
    name: 'scheduled: start === end is a whole day',
    start: nov(25, 8, 59),
    settings: { mode: 'scheduled', windows: [{ days: [3], start: '09:00', end: '09:00' }] },
    steps: [
      { at: 0, expect: waiting('outside-window') },
      { at: '+1m', expect: serving('in-window') },
      { at: '+15h1m', expect: serving('in-window') },
      { at: '+24h', expect: serving('in-window') },
      { at: '+24h1m', expect: outside('Wed 09:00') },
    ],
  },
  {
    name: 'timed pause expires on a tick',
    start: nov(23, 14, 0),
    settings: { mode: 'always', pausedUntil: nov(23, 14, 30).toISOString() },
    steps: [
      { at: 0, expect: paused('timed-pause', { reason: 'paused until 14:30', urgent: false }) },
      { at: '+29m59s', expect: paused('timed-pause') },
      { at: '+30m', expect: serving('always') },
    ],
    decisions: 2,
  },
  {
    name: 'battery pauses (planned) unless the provider allows it',
    start: MON_10,
    settings: { mode: 'always' },
    steps: [
      { at: 0, signals: { onBattery: true }, expect: paused('battery', { urgent: false }) },
      { at: 10, signals: { onBattery: false }, expect: serving('always') },
      { at: 20, signals: { onBattery: true }, expect: paused('battery') },
      { at: 30, settings: { pauseOnBattery: false }, expect: serving('always') },
    ],
  },
  {
    name: 'temperature pauses at the limit and resumes 5 °C below it',
    start: MON_10,
    settings: { mode: 'always', maxGpuTemperatureC: 85 },
    steps: [
      { at: 0, signals: { gpuTemperatureC: 84 }, expect: serving('always') },
      { at: 5, signals: { gpuTemperatureC: 85 }, expect: paused('temperature', { urgent: true }) },
      {
        at: 10,
        signals: { gpuTemperatureC: 91 },
        expect: paused('temperature', 'paused: GPU at 91 °C (limit 85 °C)'),
      },
      { at: 15, signals: { gpuTemperatureC: 84 }, expect: paused('temperature') },
      { at: 20, signals: { gpuTemperatureC: 80 }, expect: paused('temperature') },
      { at: 25, signals: { gpuTemperatureC: 79.9 }, expect: serving('always') },
      { at: 30, signals: { gpuTemperatureC: 84 }, expect: serving('always') },
      {
        at: 35,
        settings: { maxGpuTemperatureC: null },
        signals: { gpuTemperatureC: 99 },
        expect: serving('always'),
      },
    ],
    // Reason changes with every reading; only the two state changes and the first verdict count.
    decisions: 3,
  },
  {
    name: 'another program on the GPU pauses at once, unless allowed',
    start: MON_10,
    settings: { mode: 'always' },
    steps: [
      {
        at: 0,
        signals: { gpuBusyWith: 'game.exe (pid 4242)' },
        expect: paused('gpu-busy', { urgent: true }),
      },
      { at: 5, signals: { gpuBusyWith: null }, expect: serving('always') },
      {
        at: 10,
        settings: { pauseWhenGpuBusy: false },
        signals: { gpuBusyWith: 'blender (pid 7)' },
        expect: serving('always'),
      },
    ],
  },
  {
    name: 'net negative earnings pause (planned)',
    start: MON_10,
    settings: { mode: 'always' },
    steps: [
      { at: 0, netNegative: true, expect: paused('net-negative', { urgent: false }) },
      { at: 60, netNegative: false, expect: serving('always') },
    ],
  },
  {
    name: 'mode changes apply on the next decision',
    start: nov(23, 23, 0),
    settings: { mode: 'idle', windows: [{ days: [1], start: '22:00', end: '07:00' }] },
    steps: [
      { at: 0, signals: { userIdleSeconds: 10 }, expect: waiting('idle-waiting') },
      { at: 1, settings: { mode: 'always' }, expect: serving('always') },
      { at: 2, settings: { mode: 'scheduled' }, expect: serving('in-window') },
      // Serving, then idle mode while the user is active: yield to the user at once.
      { at: 3, settings: { mode: 'idle' }, expect: paused('user-active', { urgent: true }) },
      { at: 4, settings: { mode: 'paused' }, expect: paused('manual', 'paused by you') },
      // From a manual pause nothing was serving, so idle mode just waits.
      { at: 5, settings: { mode: 'idle' }, expect: waiting('idle-waiting') },
    ],
  },
  {
    name: 'precedence: manual > timed > temperature > GPU busy > battery > net negative > mode',
    start: MON_10,
    settings: { mode: 'paused', pausedUntil: nov(23, 12, 0).toISOString() },
    steps: [
      {
        at: 0,
        netNegative: true,
        signals: { gpuTemperatureC: 95, gpuBusyWith: 'game.exe (pid 1)', onBattery: true },
        expect: paused('manual'),
      },
      { at: 1, settings: { mode: 'always' }, expect: paused('timed-pause') },
      { at: 2, settings: { pausedUntil: null }, expect: paused('temperature') },
      { at: 3, signals: { gpuTemperatureC: null }, expect: paused('gpu-busy') },
      { at: 4, signals: { gpuBusyWith: null }, expect: paused('battery') },
      { at: 5, signals: { onBattery: false }, expect: paused('net-negative') },
      { at: 6, netNegative: false, expect: serving('always') },
    ],
    decisions: 7,
  },
];

describe('Scheduler timelines', () => {
  it.each(timelines.map((t) => [t.name, t] as const))('%s', (_name, timeline) => {
    const scheduler = runTimeline(timeline);
    if (timeline.decisions !== undefined)
      expect(scheduler.status().decisions).toHaveLength(timeline.decisions);
  });
});
