/**
 * `NodeApi` on top of the engine. Arguments arrive already validated by the transport
 * (control server or IPC gate); a change the settings refuse becomes a 400 whose message
 * names the field.
 */
import { VERSION } from '../../../common/version.js';
import type { ModelStatus, NodeApi, NodeStatus } from '../../../common/nodeApi.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { effectivePrice, type Settings, type SettingsPatch } from '../../../common/settings.js';
import { SettingsError } from '../settings/settingsStore.js';
import type { NodeEngine } from './nodeEngine.js';
import { createOperations } from './nodeApiOperations.js';
import { standingStatus } from './standingStatus.js';

function update(engine: NodeEngine, patch: SettingsPatch): Settings {
  try {
    return engine.options.settings.update(patch);
  } catch (error) {
    if (error instanceof SettingsError) throw ApiError.invalidRequest(error.message);
    throw error;
  }
}

function modelStatuses(engine: NodeEngine): ModelStatus[] {
  const { pricing } = engine.options.settings.get();
  const market = engine.link?.market ?? [];
  return engine.models.map((host) => ({
    id: host.id,
    loaded: host.isReady,
    slots: host.slots,
    running: host.activeGenerations,
    price: effectivePrice(pricing, host.id),
    market: market.find((entry) => entry.id === host.id) ?? null,
    tokensPerSecond: engine.stats.tokensPerSecond(host.id),
    ...engine.estimate(host.id),
  }));
}

function status(engine: NodeEngine): NodeStatus {
  const link = engine.link;
  const linkStatus = link?.status;
  return {
    version: VERSION,
    hardware: engine.options.hardware,
    schedule: engine.scheduler.status(),
    link: linkStatus
      ? {
          state: linkStatus.state,
          gatewayURL: engine.linkGatewayURL,
          nodeId: linkStatus.nodeId,
          code: linkStatus.code,
          reason: linkStatus.reason,
          updateRequired: linkStatus.updateRequired,
        }
      : { state: 'disabled', gatewayURL: null, nodeId: null, code: null, reason: null },
    models: modelStatuses(engine),
    stats: engine.stats.snapshot(),
    earnings: engine.ledger.balances(),
    settingsWarning: engine.options.settings.warning,
    standing: standingStatus(link?.standing),
  };
}

/** The engine's verbs. */
export function createNodeApi(engine: NodeEngine): NodeApi {
  const settings = () => engine.options.settings.get();
  return {
    getStatus: async () => status(engine),
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
