import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { defaultSettings, type ScheduleSettings } from '../../common/settings.js';
import { PauseController, type YieldReport } from '../../main/engine/node/pauseController.js';
import type { ScheduleVerdict } from '../../main/engine/schedule/decide.js';

/** Records what the controller does to the link and the models. */
function targets() {
  const calls: string[] = [];
  const model = {
    id: 'tiny',
    isLoaded: true,
    load: async () => {
      calls.push('load');
      model.isLoaded = true;
    },
    unload: async () => {
      calls.push('unload');
      model.isLoaded = false;
    },
  };
  const link = {
    setAvailability: (serving: boolean, reason: string) =>
      calls.push(`available ${serving} ${reason}`),
    handBackJobs: (reason: string) => (calls.push(`hand back ${reason}`), 1),
    stopJobs: (reason: string) => (calls.push(`stop ${reason}`), 2),
  };
  return { calls, model, link };
}

const verdict = (
  state: ScheduleVerdict['state'],
  urgent: boolean,
  reason: string,
): ScheduleVerdict => ({
  state,
  urgent,
  reason,
  reasonCode: { code: 'schedule.manual', params: {} },
  rule: state === 'serving' ? 'always' : urgent ? 'user-active' : 'manual',
});

describe('PauseController', () => {
  let schedule: ScheduleSettings;
  beforeEach(() => {
    schedule = { ...defaultSettings().schedule, graceSeconds: 30, freeVramWhenPaused: true };
  });
  afterEach(() => vi.useRealTimers());

  it('an urgent pause tells the gateway, hands back, stops at once and frees the model', async () => {
    const { calls, model, link } = targets();
    const controller = new PauseController(
      { link: () => link, models: () => [model] },
      () => schedule,
      silentLogger,
    );
    controller.apply(verdict('serving', false, 'serving: always on'));
    const yielded = once(controller, 'yielded') as Promise<[YieldReport]>;
    controller.apply(verdict('paused', true, 'paused: user active'));
    const [report] = await yielded;
    expect(calls).toEqual([
      'available true serving: always on',
      'available false paused: user active',
      'hand back paused: user active',
      'stop paused: user active',
      'unload',
    ]);
    expect(report).toMatchObject({ handedBack: 1, stopped: 2, unloaded: ['tiny'] });
    expect(model.isLoaded).toBe(false);
  });

  it('a planned pause lets jobs run for the grace period, and resuming loads the model again', async () => {
    vi.useFakeTimers();
    const { calls, model, link } = targets();
    const controller = new PauseController(
      { link: () => link, models: () => [model] },
      () => schedule,
      silentLogger,
    );
    controller.apply(verdict('serving', false, 'serving'));
    controller.apply(verdict('paused', false, 'paused by you'));
    expect(calls).not.toContain('stop paused by you');
    vi.advanceTimersByTime(29_999);
    expect(calls).not.toContain('stop paused by you');
    const yielded = once(controller, 'yielded');
    vi.advanceTimersByTime(1);
    vi.useRealTimers();
    await yielded;
    expect(calls.slice(-2)).toEqual(['stop paused by you', 'unload']);
    controller.apply(verdict('serving', false, 'serving again'));
    await vi.waitFor(() => expect(model.isLoaded).toBe(true));
    expect(calls.slice(-2)).toEqual(['available true serving again', 'load']);
  });

  it('an urgent verdict during a grace period stops at once', async () => {
    vi.useFakeTimers();
    const { calls, model, link } = targets();
    const controller = new PauseController(
      { link: () => link, models: () => [model] },
      () => schedule,
      silentLogger,
    );
    controller.apply(verdict('serving', false, 'serving'));
    controller.apply(verdict('paused', false, 'paused: on battery'));
    vi.useRealTimers();
    const yielded = once(controller, 'yielded');
    controller.apply(verdict('paused', true, 'paused: GPU at 95 °C (limit 85 °C)'));
    await yielded;
    expect(calls).toContain('stop paused: GPU at 95 °C (limit 85 °C)');
    expect(calls.filter((call) => call.startsWith('stop'))).toHaveLength(1);
  });

  it('keeps the model loaded when the provider did not ask to free VRAM', async () => {
    schedule.freeVramWhenPaused = false;
    const { calls, model, link } = targets();
    const controller = new PauseController(
      { link: () => link, models: () => [model] },
      () => schedule,
      silentLogger,
    );
    const yielded = once(controller, 'yielded') as Promise<[YieldReport]>;
    controller.apply(verdict('paused', true, 'paused: user active'));
    const [report] = await yielded;
    expect(report.unloaded).toEqual([]);
    expect(calls).not.toContain('unload');
    expect(model.isLoaded).toBe(true);
  });

  it('works without a link (local endpoint only)', async () => {
    const { model } = targets();
    const controller = new PauseController(
      { link: () => null, models: () => [model] },
      () => schedule,
      silentLogger,
    );
    const yielded = once(controller, 'yielded') as Promise<[YieldReport]>;
    controller.apply(verdict('paused', true, 'paused: user active'));
    expect((await yielded)[0]).toMatchObject({ handedBack: 0, stopped: 0, unloaded: ['tiny'] });
  });
});
