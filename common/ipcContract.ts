/**
 * The contract between the Electron shell (main/electron), its preload and the dashboard: the
 * IPC channel names and the types of `window.byoi`. One copy, here; main checks every call
 * against it (ipcGate.ts), the preload builds the bridge from it, the renderer reads its types.
 */
import type { NodeApiArgs, NodeApiResults, NodeEvent } from './nodeApi.js';
import type { NodeApiVerb } from './nodeApiVerbs.js';
import type { WireError } from './nodeApiWire.js';

/** The channels, all under the `byoi:` prefix. */
export const IPC_CHANNELS = {
  /** invoke `{verb, args}` → {@link IpcReply}. */
  call: 'byoi:call',
  /** invoke → the engine process's {@link EngineProcessState}. */
  engineState: 'byoi:engine-state',
  /** main → renderer: each NodeEvent. */
  event: 'byoi:event',
  /** main → renderer: the engine process's state changed. */
  engine: 'byoi:engine',
  /** main → renderer: open a panel (the tray's "Why am I not earning?"). */
  navigate: 'byoi:navigate',
  /** invoke `{}` → the private network's {@link PrivateNetworkInfo} (started if needed). */
  privateNetwork: 'byoi:private-network',
  /** invoke → the app's {@link UpdateStatus}. */
  updateState: 'byoi:update-state',
  /** main → renderer: the {@link UpdateStatus} changed. */
  update: 'byoi:update',
  /** invoke `{}` → true: quits and installs the downloaded update (refused before one is). */
  restartToUpdate: 'byoi:restart-to-update',
} as const;

/** The channels the renderer invokes (the rest are pushed by main). */
export const INVOKE_CHANNELS: ReadonlySet<string> = new Set([
  IPC_CHANNELS.call,
  IPC_CHANNELS.engineState,
  IPC_CHANNELS.privateNetwork,
  IPC_CHANNELS.updateState,
  IPC_CHANNELS.restartToUpdate,
]);

/** What an invoke resolves to; errors travel as data so that their fields survive IPC. */
export type IpcReply = { ok: true; result: unknown } | { ok: false; error: WireError };

/** The engine process's lifecycle, as the shell supervises it. */
export type EngineState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface EngineCrash {
  /** The exit code; -1 when the process could not be started at all. */
  code: number;
  /** ISO time of the exit. */
  at: string;
  /** How long that run lasted. */
  uptimeMs: number;
  reason: string;
}

/** What the tray and the window show about the engine process. */
export interface EngineProcessState {
  state: EngineState;
  /** The last thing that went wrong, in a sentence; null before any problem. */
  lastError: string | null;
  /** Newest first. */
  crashes: EngineCrash[];
  /** ISO time of the next start while `restarting`. */
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

/**
 * Where the app's own update stands (electron-updater, from the feed in the settings):
 * - `disabled`: no feed set (or a development build, which never updates);
 * - `idle`: up to date as of `checkedAt`;
 * - `checking`, then `downloading` in the background when the feed has a newer version;
 * - `downloaded`: "Restart to update" installs `version`;
 * - `error`: the last check or download failed (`error` says why); the next check retries.
 */
export interface UpdateStatus {
  state: 'disabled' | 'idle' | 'checking' | 'downloading' | 'downloaded' | 'error';
  /** The newer version found, once one is. */
  version: string | null;
  /** What went wrong, in a sentence, in state `error`. */
  error: string | null;
  /** ISO time the last check finished. */
  checkedAt: string | null;
}

/** `window.byoi` in the app. A plain browser has none; the renderer treats every part as optional. */
export interface ByoiBridge {
  /** App version from package.json, inlined at build time. */
  readonly version: string;
  /** `process.platform` of the machine (win32, darwin, linux). */
  readonly platform: string;
  /** Calls one NodeApi verb. Rejects with an Error whose message names the bad field. */
  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]>;
  /** Every event the engine pushes; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
  engineState(): Promise<EngineProcessState>;
  onEngineState(listener: (state: EngineProcessState) => void): () => void;
  onNavigate(listener: (to: ShellNavigation) => void): () => void;
  /** Starts the private network on this machine (or finds it running) and enrolls the node. */
  startPrivateNetwork(): Promise<PrivateNetworkInfo>;
  updateState(): Promise<UpdateStatus>;
  onUpdateState(listener: (state: UpdateStatus) => void): () => void;
  /** Quits and installs the downloaded update; rejects while none is downloaded. */
  restartToUpdate(): Promise<true>;
}
