/** Minimal routes serving model `m` at a price, for ranking tests (their `run` is never called). */
import type { ModelPrice } from '../../common/protocol.js';
import type { Route } from '../../gateway/routing/route.js';

export function upstreamRoute(id: string, price: ModelPrice): Route {
  return {
    id,
    kind: 'upstream',
    label: id,
    nodeId: null,
    ownerOrgId: null,
    models: () => ['m'],
    priceFor: (model) => (model === 'm' ? price : undefined),
    costFor: () => null,
    supports: () => true,
    capacity: () => 'ready',
    inFlight: () => 0,
    keyStates: () => [],
    run: () => Promise.reject(new Error('not in this test')),
  };
}

export function nodeRouteOf(nodeId: string, ownerOrgId: string, price: ModelPrice): Route {
  return {
    ...upstreamRoute(`node:${nodeId}`, price),
    kind: 'node',
    label: 'node',
    nodeId,
    ownerOrgId,
  };
}
