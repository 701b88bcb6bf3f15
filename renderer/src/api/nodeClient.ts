/**
 * The dashboard's one way to the engine: `NodeApi` verbs and pushed `NodeEvent`s, over
 * Electron IPC (the preload's `window.byoi`) or the headless node's control WebSocket.
 */
import type {
  NodeApiArgs,
  NodeApiResults,
  NodeApiVerb,
  NodeEvent,
} from '../../../common/nodeApi.js';
import type { WireError } from '../../../common/nodeApiWire.js';

/** Where the connection to the engine stands. */
export type ConnectionState =
  /** Opening the first connection. */
  | 'connecting'
  /** Ready: calls go through and events arrive. */
  | 'open'
  /** The connection dropped; trying again. */
  | 'reconnecting'
  /** The engine refused the token; nothing more is tried. */
  | 'unauthorized'
  /** Closed on purpose. */
  | 'closed';

export interface NodeClient {
  /** Which transport this is. */
  readonly transport: 'ipc' | 'websocket';
  /** Calls one verb; rejects with a {@link NodeApiError} or a {@link NodeConnectionError}. */
  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]>;
  /** Listens to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void;
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Listens to connection changes; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/** The engine answered with an error: `message` is the API's own, meant for people. */
export class NodeApiError extends Error {
  override readonly name = 'NodeApiError';
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;

  constructor(error: Pick<WireError, 'message'> & Partial<WireError>) {
    super(error.message);
    this.status = error.status ?? 500;
    this.code = error.code ?? null;
    this.param = error.param ?? null;
  }
}

/** Why a call could not reach the engine, or lost it before the answer. */
export type ConnectionFailure = 'disconnected' | 'not-connected' | 'unauthorized' | 'closed';

/** The call never got an answer because of the connection, not the engine. */
export class NodeConnectionError extends Error {
  override readonly name = 'NodeConnectionError';

  constructor(
    readonly reason: ConnectionFailure,
    readonly verb: string,
  ) {
    super(`${verb}: ${connectionMessages[reason]}`);
  }
}

const connectionMessages: Record<ConnectionFailure, string> = {
  disconnected: 'the connection to the node was lost before it answered',
  'not-connected': 'not connected to the node',
  unauthorized: 'the node refused the access token',
  closed: 'the connection to the node is closed',
};

/** A small set of listeners. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // One broken listener must not starve the others.
        console.error(error);
      }
    }
  }
}
