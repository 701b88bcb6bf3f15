/**
 * The engine's state in one snapshot: what `getStatus` answers and what the status feed
 * pushes to dashboards, built in one place.
 */
import type { ModelStatus, NodeStatus } from '../../../common/nodeApi.js';
import { effectivePrice } from '../../../common/settings.js';
import { VERSION } from '../../../common/version.js';
import type { EngineParts } from './engineParts.js';
import { standingStatus } from './standingStatus.js';

function modelStatuses(engine: EngineParts): ModelStatus[] {
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

/** The status now. */
export function statusSnapshot(engine: EngineParts): NodeStatus {
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
