/**
 * Finding what the preload exposes as `window.byoi` in the Electron app. Its types are the
 * contract in common/ipcContract.ts; in a plain browser there is none, so every part of it
 * is treated as optional here.
 */
import type { ByoiBridge, PrivateNetworkInfo, UpdateStatus } from '../../../common/ipcContract.js';

export type {
  EngineProcessState,
  PrivateNetworkInfo,
  UpdateStatus,
} from '../../../common/ipcContract.js';

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

/** The app's own updates, as the preload exposes them. */
export interface FoundUpdates {
  state(): Promise<UpdateStatus>;
  onState(listener: (state: UpdateStatus) => void): () => void;
  restartToUpdate(): Promise<true>;
}

/** The app's updates when the preload has them; null in a browser (or an older preload). */
export function findUpdates(scope: { byoi?: Partial<ByoiBridge> } = window): FoundUpdates | null {
  const bridge = scope.byoi;
  const { updateState, onUpdateState, restartToUpdate } = bridge ?? {};
  if (
    typeof updateState !== 'function' ||
    typeof onUpdateState !== 'function' ||
    typeof restartToUpdate !== 'function'
  ) {
    return null;
  }
  return {
    state: () => updateState.call(bridge),
    onState: (listener) => onUpdateState.call(bridge, listener),
    restartToUpdate: () => restartToUpdate.call(bridge),
  };
}
