/**
 * `NodeClient` over the headless node's control WebSocket (`/api/ws`, common/nodeApiWire.ts):
 * `auth` with the token first, then `call`s by id; `event`s arrive at any time. It reconnects
 * with backoff and authenticates again. Calls already sent when the socket drops fail with a
 * {@link NodeConnectionError}; calls made while (re)connecting wait a little for the socket.
 */
import type {
  NodeApiArgs,
  NodeApiResults,
  NodeApiVerb,
  NodeEvent,
} from '../../../common/nodeApi.js';
import type { ClientMessage, EngineMessage } from '../../../common/nodeApiWire.js';
import {
  Listeners,
  NodeApiError,
  NodeConnectionError,
  type ConnectionFailure,
  type ConnectionState,
  type NodeClient,
} from './nodeClient.js';

/** The part of the browser's `WebSocket` this client uses (the `ws` package has it too). */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketClientOptions {
  /** e.g. `ws://127.0.0.1:11481/api/ws` */
  url: string;
  token: string;
  /** Opens a socket; the browser's `WebSocket` by default. */
  createSocket?: (url: string) => WebSocketLike;
  /** Wait before reconnect attempt `attempt` (0 first). */
  reconnectDelayMs?: (attempt: number) => number;
  /** How long a call made while not connected waits for the connection. */
  connectWaitMs?: number;
}

/** The close code the control socket uses for a wrong token (`ControlCloseCode`). */
const UNAUTHORIZED_CLOSE = 4401;

interface PendingCall {
  verb: string;
  message: string;
  sent: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

const defaultDelay = (attempt: number): number =>
  Math.min(5000, 250 * 2 ** attempt) * (0.8 + Math.random() * 0.4);

export class WebSocketNodeClient implements NodeClient {
  readonly transport = 'websocket';
  private currentState: ConnectionState = 'connecting';
  private socket: WebSocketLike | null = null;
  private nextId = 1;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<number, PendingCall>();
  private readonly events = new Listeners<NodeEvent>();
  private readonly states = new Listeners<ConnectionState>();
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly delay: (attempt: number) => number;
  private readonly connectWaitMs: number;

  constructor(private readonly options: WebSocketClientOptions) {
    this.createSocket =
      options.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.delay = options.reconnectDelayMs ?? defaultDelay;
    this.connectWaitMs = options.connectWaitMs ?? 10_000;
    this.connect();
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  call<V extends NodeApiVerb>(verb: V, args: NodeApiArgs<V>): Promise<NodeApiResults[V]> {
    const state = this.currentState;
    if (state === 'unauthorized' || state === 'closed') {
      return Promise.reject(new NodeConnectionError(state, verb));
    }
    const id = this.nextId++;
    const message: ClientMessage = { type: 'call', id, verb, args };
    return new Promise((resolve, reject) => {
      const call: PendingCall = {
        verb,
        message: JSON.stringify(message),
        sent: false,
        timer: null,
        resolve: resolve as (result: unknown) => void,
        reject,
      };
      this.pending.set(id, call);
      if (state === 'open') this.send(call);
      else call.timer = setTimeout(() => this.fail(id, 'not-connected'), this.connectWaitMs);
    });
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.states.add(listener);
  }

  close(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.setState('closed');
    this.failAll('closed', () => true);
    socket?.close(1000, 'closed');
  }

  private connect(): void {
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => this.write(socket, { type: 'auth', token: this.options.token });
    socket.onmessage = (event) => {
      if (socket === this.socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.dropped(event.code);
    };
    // A close event always follows an error; that is where it is handled.
    socket.onerror = () => undefined;
  }

  private receive(data: unknown): void {
    let message: EngineMessage;
    try {
      message = JSON.parse(String(data)) as EngineMessage;
    } catch {
      console.warn('control socket: ignoring a message that is not JSON');
      return;
    }
    switch (message?.type) {
      case 'authed':
        this.attempt = 0;
        this.setState('open');
        for (const call of this.pending.values()) {
          if (!call.sent) this.send(call);
        }
        return;
      case 'result':
      case 'error': {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        if (call.timer) clearTimeout(call.timer);
        if (message.type === 'result') call.resolve(message.result);
        else call.reject(new NodeApiError(message.error));
        return;
      }
      case 'event':
        this.events.emit(message.event);
        return;
      default:
        console.warn('control socket: ignoring an unknown message');
    }
  }

  private dropped(code: number): void {
    this.socket = null;
    // Whatever was sent will never be answered on a new socket.
    this.failAll('disconnected', (call) => call.sent);
    if (code === UNAUTHORIZED_CLOSE) {
      this.setState('unauthorized');
      this.failAll('unauthorized', () => true);
      return;
    }
    this.setState('reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.delay(this.attempt++));
  }

  private send(call: PendingCall): void {
    if (call.timer) clearTimeout(call.timer);
    call.timer = null;
    call.sent = true;
    try {
      this.socket?.send(call.message);
    } catch {
      // The socket is closing: its close event fails this call as 'disconnected'.
    }
  }

  private write(socket: WebSocketLike, message: ClientMessage): void {
    socket.send(JSON.stringify(message));
  }

  private fail(id: number, reason: ConnectionFailure): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    if (call.timer) clearTimeout(call.timer);
    call.reject(new NodeConnectionError(reason, call.verb));
  }

  private failAll(reason: ConnectionFailure, which: (call: PendingCall) => boolean): void {
    for (const [id, call] of [...this.pending]) {
      if (which(call)) this.fail(id, reason);
    }
  }

  private setState(state: ConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.states.emit(state);
  }
}
