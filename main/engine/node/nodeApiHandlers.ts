/**
 * `NodeApi` on top of the engine. Arguments arrive already validated by the transport
 * (control server or IPC gate); a change the settings refuse becomes a 400 whose message
 * names the field.
 */
import type { NodeApi } from '../../../common/nodeApi.js';
import { ApiError } from '../../../common/openaiErrors.js';
import type { Settings, SettingsPatch } from '../../../common/settings.js';
import { SettingsError } from '../settings/settingsStore.js';
import type { EngineParts } from './engineParts.js';
import { createOperations } from './nodeApiOperations.js';
import { statusSnapshot } from './statusSnapshot.js';

function update(engine: EngineParts, patch: SettingsPatch): Settings {
  try {
    return engine.options.settings.update(patch);
  } catch (error) {
    if (error instanceof SettingsError) throw ApiError.invalidRequest(error.message);
    throw error;
  }
}

/** The engine's verbs. */
export function createNodeApi(engine: EngineParts): NodeApi {
  const settings = () => engine.options.settings.get();
  return {
    getStatus: async () => statusSnapshot(engine),
    getSettings: async () => settings(),
    updateSettings: async (patch) => update(engine, patch),
    setMode: async ({ mode }) => update(engine, { schedule: { mode } }),
    pause: async ({ minutes }) =>
      update(engine, {
        schedule:
          minutes === undefined
            ? { mode: 'paused', pausedUntil: null }
            : { pausedUntil: new Date(Date.now() + minutes * 60_000).toISOString() },
      }),
    resume: async () =>
      update(engine, {
        schedule: {
          pausedUntil: null,
          ...(settings().schedule.mode === 'paused' ? { mode: engine.options.resumeMode } : {}),
        },
      }),
    setPrice: async ({ model, price }) => {
      if (model !== undefined) return update(engine, { pricing: { models: { [model]: price } } });
      if (price === null) {
        throw ApiError.invalidRequest('The default price cannot be removed, only changed', 'price');
      }
      return update(engine, { pricing: { default: price } });
    },
    reportSignals: async (readings) => {
      engine.pushedSignals.push(readings);
      return engine.scheduler.status().signals;
    },
    getStats: async ({ bucket }) => engine.stats.buckets(bucket),
    getEarnings: async () => engine.ledger.summary(),
    exportEarningsCsv: async () => engine.ledger.toCsv(),
    ...createOperations(engine),
  };
}
