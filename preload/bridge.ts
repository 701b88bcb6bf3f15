/**
 * What the dashboard gets as `window.byoi`: the NodeApi verbs by name, pushed events, and the
 * engine process's state. Built over a minimal ipcRenderer so it is tested without Electron;
 * ipcRenderer itself is never handed to the page, and neither is any IPC event object.
 */
import type {
  ByoiBridge,
  EngineProcessState,
  IpcReply,
  ShellNavigation,
  UpdateStatus,
} from '../common/ipcContract.js';
import { IPC_CHANNELS } from '../common/ipcContract.js';
import type { NodeApiArgs, NodeApiResults, NodeEvent } from '../common/nodeApi.js';
import { isNodeApiVerb, type NodeApiVerb } from '../common/nodeApiVerbs.js';
import type { WireError } from '../common/nodeApiWire.js';

/** The part of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

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
  const answer = (await reply) as IpcReply;
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
      if (!isNodeApiVerb(verb)) {
        return Promise.reject(new Error(`Unknown verb '${String(verb).slice(0, 64)}'`));
      }
      return unwrap(ipc.invoke(IPC_CHANNELS.call, { verb, args: args ?? {} }));
    },
    onEvent: subscribe<NodeEvent>(IPC_CHANNELS.event),
    engineState: () => unwrap(ipc.invoke(IPC_CHANNELS.engineState)),
    onEngineState: subscribe<EngineProcessState>(IPC_CHANNELS.engine),
    onNavigate: subscribe<ShellNavigation>(IPC_CHANNELS.navigate),
    startPrivateNetwork: () => unwrap(ipc.invoke(IPC_CHANNELS.privateNetwork, {})),
    updateState: () => unwrap(ipc.invoke(IPC_CHANNELS.updateState)),
    onUpdateState: subscribe<UpdateStatus>(IPC_CHANNELS.update),
    restartToUpdate: () => unwrap(ipc.invoke(IPC_CHANNELS.restartToUpdate, {})),
  });
}
