/**
 * The lab's fleet view: each node's record with what the router sees of it live (online,
 * paused and why, models, slots in use, its measured speed and standing) and what it earned.
 */
import type { NodeRecord, NodeView } from '../../common/adminRecords.js';
import type { Router } from '../routing/router.js';
import type { GatewayStore } from '../store/types.js';

export async function fleetView(
  router: Router,
  store: Pick<GatewayStore, 'nodeEarnings'>,
  nodes: NodeRecord[],
): Promise<NodeView[]> {
  const earnings = await store.nodeEarnings();
  const sessions = new Map(router.online().map((session) => [session.nodeId, session]));
  const speeds = new Map(router.views().map((view) => [view.id, view.tokensPerSecond]));
  return nodes.map((node) => {
    const session = sessions.get(node.id);
    const models = session?.announcedModels() ?? [];
    return {
      ...node,
      online: session !== undefined,
      paused: session !== undefined && !session.serving,
      pausedReason: session && !session.serving ? session.availabilityReason || null : null,
      models: models.map((model) => model.id),
      tokensPerSecond: speeds.get(`node:${node.id}`) ?? null,
      slots: session
        ? {
            total: models.reduce((sum, model) => sum + model.slots, 0),
            busy: models.reduce((sum, model) => sum + session.inFlight(model.id), 0),
          }
        : null,
      reliability: session ? router.standingOf(node.id).score / 100 : null,
      earnedNanos: earnings[node.id] ?? 0,
    };
  });
}
