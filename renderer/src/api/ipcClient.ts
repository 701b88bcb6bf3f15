/**
 * `NodeClient` over the Electron preload bridge (`window.byoi`). Its connection state follows
 * the engine process the shell supervises, so the dashboard says when the engine restarts.
 */
import type {
  NodeApiArgs,
  NodeApiResults,
  NodeApiVerb,
  NodeEvent,
} from '../../../common/nodeApi.js';
import type { EngineProcessState, FoundBridge } from './byoiBridge.js';
import { Listeners, NodeApiError, type ConnectionState, type NodeClient } from './nodeClient.js';

/** Electron prefixes errors thrown in the main process; people only need the message. */
const ipcPrefix = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** Turns whatever the bridge rejected with into a {@link NodeApiError}. */
export function toApiError(error: unknown): NodeApiError {
  if (error instanceof NodeApiError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    status?: unknown;
    code?: unknown;
    param?: unknown;
  };
  const message =
    typeof fields.message === 'string' ? fields.message.replace(ipcPrefix, '') : String(error);
  return new NodeApiError({
    message,
    status: typeof fields.status === 'number' ? fields.status : undefined,
    code: typeof fields.code === 'string' ? fields.code : null,
    param: typeof fields.param === 'string' ? fields.param : null,
  });
}

/** The connection state that an engine process state amounts to. */
export function connectionOf(engine: EngineProcessState['state']): ConnectionState {
  if (engine === 'running') return 'open';
  if (engine === 'stopped') return 'closed';
  return engine === 'starting' ? 'connecting' : 'reconnecting';
}

export class IpcNodeClient implements NodeClient {
  readonly transport = 'ipc';
  /** IPC itself cannot drop; the engine process behind it can restart, and says so. */
  private current: ConnectionState = 'open';
  private readonly states = new Listeners<ConnectionState>();

  constructor(private readonly bridge: FoundBridge) {
    const apply = (engine: EngineProcessState) => {
      const next = connectionOf(engine.state);
      if (next === this.current) return;
      this.current = next;
      this.states.emit(next);
    };
    bridge.onEngineState?.(apply);
    bridge.engineState?.().then(apply, () => undefined);
  }

  get state(): ConnectionState {
    return this.current;
  }

  async call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]> {
    try {
      return await this.bridge.call(verb, args);
    } catch (error) {
      throw toApiError(error);
    }
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    return this.bridge.onEvent(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.states.add(listener);
  }

  close(): void {}
}
