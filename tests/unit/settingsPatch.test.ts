import { describe, expect, it } from 'vitest';
import {
  applySettingsPatch,
  defaultSettings,
  effectivePrice,
  settingsPatchSchema,
} from '../../common/settings.js';

describe('settings patches', () => {
  it('name only what they change: parsing fills in no defaults', () => {
    expect(settingsPatchSchema.parse({ schedule: { pausedUntil: null } })).toEqual({
      schedule: { pausedUntil: null },
    });
    expect(settingsPatchSchema.parse({ pricing: { electricity: {} }, rewards: {} })).toEqual({
      pricing: { electricity: {} },
      rewards: {},
    });
  });

  it('leave every field they do not name as it was', () => {
    const always = applySettingsPatch(defaultSettings(), { schedule: { mode: 'always' } });
    const patch = settingsPatchSchema.parse({ schedule: { pausedUntil: null } });
    expect(applySettingsPatch(always, patch).schedule.mode).toBe('always');
  });

  it('drop a model price with null, and clamp to the floor', () => {
    const settings = applySettingsPatch(defaultSettings(), {
      pricing: {
        models: { tiny: { prompt: 0.01, completion: 5 } },
        floor: { prompt: 0.05, completion: 0 },
      },
    });
    expect(effectivePrice(settings.pricing, 'tiny')).toEqual({ prompt: 0.05, completion: 5 });
    const dropped = applySettingsPatch(settings, { pricing: { models: { tiny: null } } });
    expect(dropped.pricing.models).toEqual({});
    expect(effectivePrice(dropped.pricing, 'tiny')).toEqual({ prompt: 0.1, completion: 0.2 });
  });

  it('refuse a split that does not add up to 100', () => {
    expect(() =>
      applySettingsPatch(defaultSettings(), {
        rewards: { split: { rewards: 50, exchange: 20, mission: 20 } },
      }),
    ).toThrow(/add up to 100/);
  });
});
