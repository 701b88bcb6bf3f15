/**
 * Picks the transport at startup: the preload bridge inside the app, else the control
 * WebSocket of the node that served this page, with the token from `#token=…`.
 */
import { findBridge } from './byoiBridge.js';
import { IpcNodeClient } from './ipcClient.js';
import type { NodeClient } from './nodeClient.js';
import { WebSocketNodeClient } from './webSocketClient.js';

/** The token in a `#token=…` fragment, or null. */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.trim() ? token.trim() : null;
}

/** The control socket of the server this page came from. */
export function controlSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`;
}

export type ClientChoice = { client: NodeClient } | { client: null; problem: 'no-token' };

export function createClient(): ClientChoice {
  const bridge = findBridge();
  if (bridge) return { client: new IpcNodeClient(bridge) };
  const token = tokenFromHash(window.location.hash);
  if (!token) return { client: null, problem: 'no-token' };
  return { client: new WebSocketNodeClient({ url: controlSocketUrl(window.location), token }) };
}
