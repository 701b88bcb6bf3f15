/**
 * Finding what the preload exposes as `window.byoi` in the Electron app. Its types are the
 * contract in common/ipcContract.ts; in a plain browser there is none, so every part of it
 * is treated as optional here.
 */
import type { ByoiBridge, PrivateNetworkInfo } from '../../../common/ipcContract.js';

export type { EngineProcessState, PrivateNetworkInfo } from '../../../common/ipcContract.js';

declare global {
  interface Window {
    byoi?: Partial<ByoiBridge>;
  }
}

/** A bridge with at least the verbs and the events; an older preload may lack the rest. */
export type FoundBridge = Partial<ByoiBridge> & Pick<ByoiBridge, 'call' | 'onEvent'>;

/** The bridge, when this page runs in the app with a preload that has the verbs. */
export function findBridge(scope: { byoi?: Partial<ByoiBridge> } = window): FoundBridge | null {
  const bridge = scope.byoi;
  return typeof bridge?.call === 'function' && typeof bridge.onEvent === 'function'
    ? (bridge as FoundBridge)
    : null;
}

/** `startPrivateNetwork` when the app's preload has it; null in a browser. */
export function findPrivateNetworkStarter(
  scope: { byoi?: Partial<ByoiBridge> } = window,
): (() => Promise<PrivateNetworkInfo>) | null {
  const bridge = scope.byoi;
  const start = bridge?.startPrivateNetwork;
  return typeof start === 'function' ? () => start.call(bridge) : null;
}
