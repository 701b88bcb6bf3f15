/**
 * What the dashboard gets as `window.byoi`: the NodeApi verbs by name, pushed events, and the
 * engine process's state. Built over a minimal ipcRenderer so it is tested without Electron;
 * ipcRenderer itself is never handed to the page, and neither is any IPC event object.
 */
import type { NodeApiArgs, NodeApiResults, NodeApiVerb, NodeEvent } from '../common/nodeApi.js';
import type { WireError } from '../common/nodeApiWire.js';
import { BRIDGE_CHANNELS } from './channels.js';
import { isBridgeVerb } from './verbs.js';

/** The engine process as the shell sees it (main/electron's SupervisorSnapshot). */
export interface EngineStateView {
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  lastError: string | null;
  crashes: { code: number; at: string; uptimeMs: number; reason: string }[];
  restartAt: string | null;
  pid: number | null;
}

/** Where the tray sends the dashboard ("Why am I not earning?" → overview, diagnostics). */
export interface ShellNavigation {
  panel: 'overview';
  focus?: 'diagnostics';
}

/** The private network on this machine: where clients point, and their API key. */
export interface PrivateNetworkInfo {
  gatewayURL: string;
  apiKey: string;
  adminURL: string;
}

export interface ByoiBridge {
  /** App version from package.json, inlined at build time. */
  readonly version: string;
  /** `process.platform` of the machine (win32, darwin, linux). */
  readonly platform: string;
  /** Calls one NodeApi verb. Rejects with an Error whose message names the bad field. */
  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]>;
  /** Every event the engine pushes; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
  engineState(): Promise<EngineStateView>;
  onEngineState(listener: (state: EngineStateView) => void): () => void;
  onNavigate(listener: (to: ShellNavigation) => void): () => void;
  /** Starts the private network on this machine (or finds it running) and enrolls the node. */
  startPrivateNetwork(): Promise<PrivateNetworkInfo>;
}

/** The part of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

type Reply = { ok: true; result: unknown } | { ok: false; error: WireError };

/** An answer that is an error; contextBridge keeps only the message, so it says it all. */
function replyError(error: WireError): Error {
  return Object.assign(new Error(error.message), {
    name: 'ByoiCallError',
    status: error.status,
    code: error.code,
    param: error.param,
  });
}

async function unwrap(reply: Promise<unknown>): Promise<never> {
  const answer = (await reply) as Reply;
  if (answer && answer.ok === true) return answer.result as never;
  throw replyError(
    answer && answer.ok === false
      ? answer.error
      : {
          status: 500,
          message: 'No answer from the app',
          type: 'server_error',
          code: null,
          param: null,
        },
  );
}

export function createBridge(ipc: IpcRendererLike, version: string, platform: string): ByoiBridge {
  const subscribe =
    <T>(channel: string) =>
    (listener: (payload: T) => void): (() => void) => {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      // The IPC event (with its sender) stays here; the page gets the payload only.
      const forward = (_event: unknown, payload: unknown) => listener(payload as T);
      ipc.on(channel, forward);
      return () => void ipc.removeListener(channel, forward);
    };
  return Object.freeze({
    version,
    platform,
    call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]> {
      if (!isBridgeVerb(verb)) {
        return Promise.reject(new Error(`Unknown verb '${String(verb).slice(0, 64)}'`));
      }
      return unwrap(ipc.invoke(BRIDGE_CHANNELS.call, { verb, args: args ?? {} }));
    },
    onEvent: subscribe<NodeEvent>(BRIDGE_CHANNELS.event),
    engineState: () => unwrap(ipc.invoke(BRIDGE_CHANNELS.engineState)),
    onEngineState: subscribe<EngineStateView>(BRIDGE_CHANNELS.engine),
    onNavigate: subscribe<ShellNavigation>(BRIDGE_CHANNELS.navigate),
    startPrivateNetwork: () => unwrap(ipc.invoke(BRIDGE_CHANNELS.privateNetwork, {})),
  });
}
