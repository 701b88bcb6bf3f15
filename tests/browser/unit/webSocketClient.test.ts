/**
 * The dashboard's WebSocket NodeClient against a small in-test server that speaks the
 * control socket's protocol (common/nodeApiWire.ts): auth first, calls by id, pushed events,
 * 4401 for a wrong token; and what happens when the socket drops.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientMessage, EngineMessage } from '../../../common/nodeApiWire.js';
import type { NodeStatus } from '../../../common/nodeApi.js';
import {
  NodeApiError,
  NodeConnectionError,
  type ConnectionState,
} from '../../../renderer/src/api/nodeClient.js';
import {
  WebSocketNodeClient,
  type WebSocketLike,
} from '../../../renderer/src/api/webSocketClient.js';

const TOKEN = 'test-token-0123456789';

/** A stand-in control socket: records what it gets, answers some verbs, holds others. */
class FakeControlSocket {
  readonly wss: WebSocketServer;
  readonly auths: string[] = [];
  readonly calls: { verb: string; args: unknown }[] = [];
  readonly sockets = new Set<ServerSocket>();
  /** Calls that get no answer until the test says so. */
  readonly held = new Map<number, ServerSocket>();

  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/ws' });
    this.wss.on('connection', (ws) => this.serve(ws));
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/api/ws`;
  }

  private serve(ws: ServerSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    let authed = false;
    let heldStatus: (() => void) | null = null;
    const send = (message: EngineMessage) => ws.send(JSON.stringify(message));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ClientMessage;
      if (!authed) {
        if (message.type !== 'auth') return ws.close(4401, 'the first message must be auth');
        this.auths.push(message.token);
        if (message.token !== TOKEN) return ws.close(4401, 'wrong control token');
        authed = true;
        return send({ type: 'authed' });
      }
      if (message.type !== 'call') return ws.close(4400, 'already authenticated');
      this.calls.push({ verb: message.verb, args: message.args });
      if (message.verb === 'runBenchmark') return void this.held.set(message.id, ws);
      if (message.verb === 'setMode') {
        return send({
          type: 'error',
          id: message.id,
          error: {
            status: 400,
            message: "schedule.mode: Invalid option: expected one of 'idle'|'always'",
            type: 'invalid_request_error',
            code: null,
            param: 'mode',
          },
        });
      }
      const answer = () =>
        send({
          type: 'result',
          id: message.id,
          result: { echo: message.verb } as unknown as NodeStatus,
        });
      // getStatus is answered only after the next getSettings, so answers come out of order.
      if (message.verb === 'getStatus') return void (heldStatus = answer);
      answer();
      if (message.verb === 'getSettings') heldStatus?.();
      heldStatus = null;
    });
  }

  push(event: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'event', event }));
  }

  /** Drops every connection as a crash would (no close handshake). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

const createSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;

function waitForState(client: WebSocketNodeClient, state: ConnectionState): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.onState((next) => {
      if (next === state) {
        off();
        resolve();
      }
    });
  });
}

describe('WebSocketNodeClient', () => {
  let server: FakeControlSocket;
  let client: WebSocketNodeClient | null = null;

  beforeEach(async () => {
    server = new FakeControlSocket();
    await new Promise((resolve) => server.wss.once('listening', resolve));
  });

  afterEach(async () => {
    client?.close();
    client = null;
    await server.close();
  });

  const connect = (token = TOKEN, connectWaitMs = 5000) => {
    const states: ConnectionState[] = [];
    /** Each reconnect the client schedules, by attempt. */
    const reconnects: number[] = [];
    client = new WebSocketNodeClient({
      url: server.url,
      token,
      createSocket,
      reconnectDelayMs: (attempt) => (reconnects.push(attempt), 20),
      connectWaitMs,
    });
    client.onState((state) => states.push(state));
    return { client, states, reconnects };
  };

  it('authenticates first, then answers concurrent calls by id, whatever their order', async () => {
    const { client } = connect();
    expect(client.state).toBe('connecting');
    // Made before the socket is even open: they wait for `authed`.
    const status = client.call('getStatus', {});
    const settings = client.call('getSettings', {});
    const order: string[] = [];
    status.then(() => order.push('getStatus'));
    settings.then(() => order.push('getSettings'));
    await expect(status).resolves.toEqual({ echo: 'getStatus' });
    await expect(settings).resolves.toEqual({ echo: 'getSettings' });
    expect(order).toEqual(['getSettings', 'getStatus']);
    expect(server.auths).toEqual([TOKEN]);
    expect(server.calls).toEqual([
      { verb: 'getStatus', args: {} },
      { verb: 'getSettings', args: {} },
    ]);
    expect(client.state).toBe('open');
  });

  it("rejects with the API's own error message and fields", async () => {
    const { client } = connect();
    const error = await client.call('setMode', { mode: 'idle' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error).toMatchObject({
      message: "schedule.mode: Invalid option: expected one of 'idle'|'always'",
      status: 400,
      param: 'mode',
    });
  });

  it('hands pushed events to every listener until they unsubscribe', async () => {
    const { client } = connect();
    await waitForState(client, 'open');
    const first: unknown[] = [];
    const second: unknown[] = [];
    const offFirst = client.onEvent((event) => first.push(event));
    client.onEvent((event) => second.push(event));
    const arrived = new Promise<void>((resolve) => client.onEvent(() => resolve()));
    server.push({ type: 'log', entry: { msg: 'one' } });
    await arrived;
    offFirst();
    const again = new Promise<void>((resolve) => client.onEvent(() => resolve()));
    server.push({ type: 'log', entry: { msg: 'two' } });
    await again;
    expect(first).toEqual([{ type: 'log', entry: { msg: 'one' } }]);
    expect(second).toHaveLength(2);
  });

  it('fails a call in flight when the socket drops, then reconnects and authenticates again', async () => {
    const { client, states } = connect();
    await waitForState(client, 'open');
    const pending = client.call('runBenchmark', { model: 'tiny' });
    await expect.poll(() => server.held.size).toBe(1);
    server.dropAll();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeConnectionError);
    expect(error).toMatchObject({ reason: 'disconnected', verb: 'runBenchmark' });
    expect((error as Error).message).toMatch(/runBenchmark: the connection to the node was lost/);

    await waitForState(client, 'open');
    expect(server.auths).toEqual([TOKEN, TOKEN]);
    await expect(client.call('getSettings', {})).resolves.toEqual({ echo: 'getSettings' });
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('queues a call made while reconnecting and sends it once authenticated', async () => {
    const { client } = connect();
    await waitForState(client, 'open');
    server.dropAll();
    await waitForState(client, 'reconnecting');
    const answer = client.call('getEarnings', {});
    await expect(answer).resolves.toEqual({ echo: 'getEarnings' });
  });

  it('fails a waiting call clearly when no connection comes back in time', async () => {
    const { client } = connect(TOKEN, 150);
    await waitForState(client, 'open');
    await server.close();
    await waitForState(client, 'reconnecting');
    const error = await client.call('getStatus', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'NodeConnectionError', reason: 'not-connected' });
    expect(client.state).toBe('reconnecting');
  });

  it('stops on a wrong token: state unauthorized, calls refused, no retry', async () => {
    const { client, states, reconnects } = connect('wrong-token-0000000000');
    const call = client.call('getStatus', {});
    await expect(call).rejects.toMatchObject({ reason: 'unauthorized' });
    expect(client.state).toBe('unauthorized');
    await expect(client.call('getSettings', {})).rejects.toBeInstanceOf(NodeConnectionError);
    // No reconnect was even scheduled, so none can come later.
    expect(reconnects).toEqual([]);
    expect(server.auths).toEqual(['wrong-token-0000000000']);
    expect(states).toEqual(['unauthorized']);
  });

  it('close() fails what is pending and refuses new calls', async () => {
    const { client } = connect();
    await waitForState(client, 'open');
    const pending = client.call('runBenchmark', { model: 'tiny' });
    await expect.poll(() => server.held.size).toBe(1);
    client.close();
    await expect(pending).rejects.toMatchObject({ reason: 'closed' });
    await expect(client.call('getStatus', {})).rejects.toMatchObject({ reason: 'closed' });
    expect(client.state).toBe('closed');
  });
});
