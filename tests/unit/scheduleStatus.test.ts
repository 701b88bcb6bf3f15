import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../common/log.js';
import type { SignalReadings } from '../../common/nodeApi.js';
import { scheduleSettingsSchema, type ScheduleSettings } from '../../common/settings.js';
import type { ScheduleVerdict } from '../../main/engine/schedule/decide.js';
import { Scheduler } from '../../main/engine/schedule/scheduler.js';
import { PushedSignals, type SignalSource } from '../../main/engine/schedule/signalSources.js';
import { ManualTimers } from '../support/manualTimers.js';

const START = new Date(2026, 10, 23, 10, 0);

function recordingLogger(): Logger & { infos: Array<[string, LogFields | undefined]> } {
  const infos: Array<[string, LogFields | undefined]> = [];
  const drop = () => undefined;
  return { infos, debug: drop, info: (m, f) => infos.push([m, f]), warn: drop, error: drop };
}

function setup(initial: Partial<ScheduleSettings>) {
  const clock = { ms: START.getTime() };
  const state = { settings: scheduleSettingsSchema.parse(initial) };
  const logger = recordingLogger();
  const scheduler = new Scheduler({
    settings: () => state.settings,
    sources: [],
    now: () => new Date(clock.ms),
    tickMs: 0,
    logger,
  });
  const changes: ScheduleVerdict[] = [];
  scheduler.on('change', (v) => changes.push(v));
  const at = (seconds: number) => {
    clock.ms = START.getTime() + seconds * 1000;
  };
  const set = (patch: Partial<ScheduleSettings>) => {
    state.settings = scheduleSettingsSchema.parse({ ...state.settings, ...patch });
  };
  return { scheduler, changes, logger, at, set };
}

describe('Scheduler decisions, events and status', () => {
  it('records, logs and emits only changes of state or rule, newest first', () => {
    const { scheduler, changes, logger, at } = setup({ mode: 'always' });
    at(0);
    scheduler.report({ gpuTemperatureC: 60 });
    at(1);
    scheduler.report({ gpuTemperatureC: 90 });
    at(2);
    scheduler.report({ gpuTemperatureC: 93 }); // same rule, new reason: not a decision
    expect(scheduler.verdict.reason).toBe('paused: GPU at 93 °C (limit 85 °C)');
    // The status carries the latest reading's reason, as a code with its parameters.
    expect(scheduler.status().reasonCode).toEqual({
      code: 'schedule.hot',
      params: { temperatureC: 93, limitC: 85 },
    });
    at(3);
    scheduler.report({ onBattery: true, gpuTemperatureC: 20 }); // paused → paused, new rule
    at(4);
    scheduler.tick();

    expect(changes.map((c) => c.rule)).toEqual(['always', 'temperature', 'battery']);
    const { decisions } = scheduler.status();
    expect(decisions).toEqual([
      {
        state: 'paused',
        reason: 'paused: on battery',
        reasonCode: { code: 'schedule.battery', params: {} },
        at: new Date(START.getTime() + 3000).toISOString(),
      },
      {
        state: 'paused',
        reason: 'paused: GPU at 90 °C (limit 85 °C)',
        reasonCode: { code: 'schedule.hot', params: { temperatureC: 90, limitC: 85 } },
        at: new Date(START.getTime() + 1000).toISOString(),
      },
      {
        state: 'serving',
        reason: 'serving: always on',
        reasonCode: { code: 'schedule.always', params: {} },
        at: START.toISOString(),
      },
    ]);
    expect(logger.infos).toEqual([
      ['schedule', { state: 'serving', reason: 'serving: always on' }],
      ['schedule', { state: 'paused', reason: 'paused: GPU at 90 °C (limit 85 °C)' }],
      ['schedule', { state: 'paused', reason: 'paused: on battery' }],
    ]);
    // `since` is the last change of state, not of rule.
    expect(scheduler.status().since).toBe(new Date(START.getTime() + 1000).toISOString());
  });

  it('keeps the last 50 decisions', () => {
    const { scheduler, at } = setup({ mode: 'always' });
    for (let i = 0; i < 60; i += 1) {
      at(i);
      scheduler.report({ onBattery: i % 2 === 0 });
    }
    const { decisions } = scheduler.status();
    expect(decisions).toHaveLength(50);
    expect(decisions[0]?.at).toBe(new Date(START.getTime() + 59_000).toISOString());
    expect(decisions[49]?.at).toBe(new Date(START.getTime() + 10_000).toISOString());
  });

  it('reports mode, pausedUntil and extrapolated signals', () => {
    const { scheduler, at, set } = setup({ mode: 'idle' });
    at(0);
    scheduler.report({ userIdleSeconds: 30, gpuWatts: 250 });
    at(12.7);
    const pausedUntil = new Date(2026, 10, 23, 11, 0).toISOString();
    set({ pausedUntil });
    expect(scheduler.status()).toMatchObject({
      mode: 'idle',
      pausedUntil,
      state: 'waiting',
      signals: {
        userIdleSeconds: 42,
        gpuWatts: 250,
        onBattery: null,
        gpuBusyWith: null,
        gpuTemperatureC: null,
      },
    });
    // status() does not re-decide: the settings change applies on the next tick.
    expect(scheduler.tick()).toMatchObject({ state: 'paused', rule: 'timed-pause' });
  });

  it('decides on first use of verdict, and ignores undefined fields in a report', () => {
    const { scheduler, changes } = setup({ mode: 'always' });
    expect(scheduler.verdict.rule).toBe('always');
    expect(changes).toHaveLength(1);
    scheduler.report({ onBattery: true });
    scheduler.report({ onBattery: undefined, gpuTemperatureC: 40 });
    expect(scheduler.verdict.rule).toBe('battery');
    expect(scheduler.status().signals).toMatchObject({ onBattery: true, gpuTemperatureC: 40 });
  });
});

describe('PushedSignals', () => {
  it('replays pushes made before start, forwards while started, and not after stop', () => {
    const pushed = new PushedSignals('shell');
    pushed.push({ onBattery: true });
    pushed.push({ userIdleSeconds: 12, onBattery: undefined });
    const reports: Array<Partial<SignalReadings>> = [];
    pushed.start((r) => reports.push(r));
    pushed.push({ userIdleSeconds: 0 });
    pushed.stop();
    pushed.push({ onBattery: false });
    expect(pushed.name).toBe('shell');
    expect(reports).toEqual([{ onBattery: true, userIdleSeconds: 12 }, { userIdleSeconds: 0 }]);
  });
});

describe('Scheduler start/stop', () => {
  it('starts every source before the first decision, so early readings make one decision', () => {
    const shell = new PushedSignals('shell');
    const script = new PushedSignals('script');
    shell.push({ userIdleSeconds: 600 });
    script.push({ onBattery: true });
    const scheduler = new Scheduler({
      settings: () => scheduleSettingsSchema.parse({ mode: 'idle' }),
      sources: [shell, script],
      tickMs: 0,
    });
    scheduler.start();
    expect(scheduler.status().decisions.map((d) => d.reasonCode.code)).toEqual([
      'schedule.battery',
    ]);
    script.push({ onBattery: false });
    expect(scheduler.verdict.rule).toBe('idle');
  });

  it('ticks on an unref’d timer, and stop() ends the ticks and the sources', async () => {
    const timers = new ManualTimers();
    const base = new Date(2026, 10, 23, 14, 0).getTime();
    const pushed = new PushedSignals();
    pushed.push({ userIdleSeconds: 600 });
    let stopped = 0;
    const spy: SignalSource = { name: 'spy', start: () => undefined, stop: () => (stopped += 1) };
    const scheduler = new Scheduler({
      settings: () =>
        scheduleSettingsSchema.parse({ pausedUntil: new Date(base + 2000).toISOString() }),
      sources: [pushed, spy],
      now: () => new Date(base + timers.now),
      timers,
    });
    scheduler.start();
    expect(timers.armed).toEqual([[1000, true]]);
    expect(scheduler.status().decisions).toHaveLength(1);
    await timers.advance(1999);
    expect(scheduler.verdict.rule).toBe('timed-pause');
    await timers.advance(1);
    expect(scheduler.verdict).toMatchObject({ state: 'serving', rule: 'idle' });
    pushed.push({ userIdleSeconds: 0 });
    expect(scheduler.verdict.rule).toBe('user-active');
    scheduler.stop();
    expect(stopped).toBe(1);
    expect(timers.armed).toEqual([]);
    pushed.push({ userIdleSeconds: 900 });
    expect(scheduler.verdict.rule).toBe('user-active');
  });
});
