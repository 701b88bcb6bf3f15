/**
 * What the preload exposes as `window.byoi` in the Electron app. Declared here because the
 * renderer imports nothing from preload/; the preload must match it.
 */
import type { NodeEvent } from '../../../common/nodeApi.js';

/** The engine process as the app's shell sees it. */
export interface EngineProcessState {
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  lastError: string | null;
}

/** The private network on this machine: where clients point, and their API key. */
export interface PrivateNetworkInfo {
  gatewayURL: string;
  apiKey: string;
  adminURL: string;
}

export interface ByoiBridge {
  /** Calls one `NodeApi` verb through the main process. */
  call(verb: string, args: unknown): Promise<unknown>;
  /** Listens to the engine's pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
  /** App version, when the preload knows it. */
  readonly version?: string;
  /** The engine process's state now, and when it changes (crash, restart). */
  engineState?(): Promise<EngineProcessState>;
  onEngineState?(listener: (state: EngineProcessState) => void): () => void;
  /** The tray asks for a screen ("Why am I not earning?" opens the overview). */
  onNavigate?(listener: (to: { panel: 'overview'; focus?: 'diagnostics' }) => void): () => void;
  /** Starts the private network on this machine (desktop app only). */
  startPrivateNetwork?(): Promise<PrivateNetworkInfo>;
}

declare global {
  interface Window {
    byoi?: Partial<ByoiBridge>;
  }
}

/** The bridge, when this page runs in the app with a preload that has the verbs. */
export function findBridge(scope: { byoi?: Partial<ByoiBridge> } = window): ByoiBridge | null {
  const bridge = scope.byoi;
  return typeof bridge?.call === 'function' && typeof bridge.onEvent === 'function'
    ? (bridge as ByoiBridge)
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
