import { EventEmitter, once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger, silentLogger, type Logger } from '../../common/log.js';
import { NODE_API_VERBS, type NodeApi, type NodeEvent } from '../../common/nodeApi.js';
import { MAX_WIRE_MESSAGE_BYTES, type EngineMessage } from '../../common/nodeApiWire.js';
import { defaultSettings } from '../../common/settings.js';
import {
  startControlServer,
  type ControlServerOptions,
  type RunningControlServer,
} from '../../main/engine/control/controlServer.js';
import type { NodeEventSource } from '../../main/engine/control/controlSocket.js';

const TOKEN = 'test-token-0123456789abcdef';

/** A NodeApi whose `runBenchmark` waits until released, so calls can overlap. */
function fakeApi() {
  let release: () => void = () => undefined;
  const benchmarkReleased = new Promise<void>((resolve) => (release = resolve));
  const answers: Record<string, (args: never) => unknown> = {
    getSettings: () => defaultSettings(),
    setMode: (args: { mode: string }) => ({ mode: args.mode }),
    runBenchmark: async () => {
      await benchmarkReleased;
      return { model: 'tiny', tokensPerSecond: 1, timeToFirstTokenMs: 1, earningsPerHour: null };
    },
    getEarnings: () => {
      throw new Error('disk /secret/path failed');
    },
  };
  const entries = NODE_API_VERBS.map((verb) => [
    verb,
    async (args: unknown) => (answers[verb] ?? (() => ({ verb })))(args as never),
  ]);
  return { api: Object.fromEntries(entries) as NodeApi, releaseBenchmark: () => release() };
}

/** An event source that says when it is listened to. */
class TestEvents implements NodeEventSource {
  readonly listeners = new Set<(event: NodeEvent) => void>();
  private readonly changes = new EventEmitter();
  on(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    this.changes.emit('changed');
    return () => {
      this.listeners.delete(listener);
      this.changes.emit('changed');
    };
  }
  push(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  /** Resolves once exactly `count` listeners are subscribed. */
  async until(count: number): Promise<void> {
    while (this.listeners.size !== count) await once(this.changes, 'changed');
  }
}

const logEvent = (msg: string): NodeEvent => ({
  type: 'log',
  entry: { time: '2026-01-01T00:00:00.000Z', level: 'info', msg, fields: {} },
});

/** A ws client that queues what it receives, so tests can await messages in order. */
class Client {
  private readonly queue: EngineMessage[] = [];
  private readonly arrived = new EventEmitter();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.queue.push(JSON.parse(String(data)) as EngineMessage);
      this.arrived.emit('message');
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const client = new Client(new WebSocket(`${url.replace('http', 'ws')}/api/ws`, options));
    await once(client.ws, 'open');
    return client;
  }

  static async authed(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const client = await Client.open(url, options);
    client.send({ type: 'auth', token: TOKEN });
    expect(await client.next()).toEqual({ type: 'authed' });
    return client;
  }

  /** Sends text as is, a Buffer as a binary message, anything else as JSON. */
  send(message: unknown): void {
    const binary = Buffer.isBuffer(message);
    const data = typeof message === 'string' || binary ? message : JSON.stringify(message);
    this.ws.send(data, { binary });
  }

  async next(): Promise<EngineMessage> {
    while (this.queue.length === 0) await once(this.arrived, 'message');
    return this.queue.shift() as EngineMessage;
  }
}

async function start(overrides: Partial<ControlServerOptions> = {}) {
  const fake = fakeApi();
  const events = new TestEvents();
  const server = await startControlServer({
    api: fake.api,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    logger: silentLogger,
    events,
    ...overrides,
  });
  return { server, events, ...fake };
}

/** The HTTP answer to an upgrade the server refuses. */
async function refusedUpgrade(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/ws`, { headers });
  let opened = false;
  ws.on('open', () => (opened = true));
  const [, response] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
  let body = '';
  for await (const chunk of response) body += String(chunk);
  return { opened, status: response.statusCode, body: JSON.parse(body), headers: response.headers };
}

describe('control socket', () => {
  let server: RunningControlServer;
  let events: TestEvents;
  let releaseBenchmark: () => void;
  const logged: string[] = [];

  beforeAll(async () => {
    const logger: Logger = createLogger({ level: 'error', write: (line) => logged.push(line) });
    ({ server, events, releaseBenchmark } = await start({ logger }));
  });
  afterAll(() => server.close());

  it('authenticates with the token and answers a call by id', async () => {
    const client = await Client.authed(server.url);
    client.send({ type: 'call', id: 7, verb: 'setMode', args: { mode: 'always' } });
    expect(await client.next()).toEqual({ type: 'result', id: 7, result: { mode: 'always' } });
    client.ws.close();
  });

  it.each([
    ['a wrong token', { type: 'auth', token: 'not-the-token' }, /wrong control token/],
    ['a call before auth', { type: 'call', id: 1, verb: 'getSettings', args: {} }, /first .*auth/],
  ])('closes with 4401 on %s', async (_name, first, reason) => {
    const client = await Client.open(server.url);
    client.send(first);
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(reason);
  });

  it('closes with 4401 when auth does not come in time', async () => {
    const quick = await start({ socketAuthTimeoutMs: 20 });
    const client = await Client.open(quick.server.url);
    expect(await client.closed).toEqual({ code: 4401, reason: 'auth not received in time' });
    await quick.server.close();
  });

  it.each([
    ['a foreign Host', { host: 'evil.example' }, 'host_not_allowed'],
    ['a foreign Origin', { origin: 'http://evil.example' }, 'origin_not_allowed'],
  ])('refuses %s with 403 before upgrading', async (_name, headers, code) => {
    const refused = await refusedUpgrade(server.url, headers);
    expect(refused.status).toBe(403);
    expect(refused.opened).toBe(false);
    expect(refused.body.error.code).toBe(code);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
  });

  it('accepts its own Origin, as a browser sends it', async () => {
    const client = await Client.authed(server.url, { origin: server.url });
    client.ws.close();
  });

  it.each([
    ['text that is not JSON', '{"type":', /not JSON/],
    ['a message of no known type', { type: 'hello' }, /type/],
    ['a call without a valid id', { type: 'call', id: -1, verb: 'getSettings' }, /'id'/],
    ['a second auth', { type: 'auth', token: TOKEN }, /already/],
    ['a message over the limit', 'x'.repeat(MAX_WIRE_MESSAGE_BYTES + 1), /over 1048576 bytes/],
    ['a binary message', Buffer.from('{}'), /JSON text/],
  ])('closes with 4400 on %s', async (_name, message, reason) => {
    const client = await Client.authed(server.url);
    client.send(message);
    const closed = await client.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reason).toMatch(reason);
  });

  it('answers an unknown verb and bad arguments with errors, and stays open', async () => {
    const client = await Client.authed(server.url);
    client.send({ type: 'call', id: 1, verb: 'formatDisk', args: {} });
    client.send({ type: 'call', id: 2, verb: 'setMode', args: { mode: 'sometimes' } });
    client.send({ type: 'call', id: 3, verb: 'getEarnings', args: {} });
    client.send({ type: 'call', id: 4, verb: 'getSettings', args: {} });
    const answers = await Promise.all([1, 2, 3, 4].map(() => client.next()));
    const byId = new Map(answers.map((answer) => ['id' in answer ? answer.id : -1, answer]));
    expect(byId.get(1)).toMatchObject({
      type: 'error',
      error: { status: 404, code: 'unknown_verb' },
    });
    expect(byId.get(2)).toMatchObject({ type: 'error', error: { status: 400, param: 'mode' } });
    expect(byId.get(3)).toMatchObject({ error: { status: 500, code: 'internal_error' } });
    expect(JSON.stringify(byId.get(3))).not.toContain('/secret/path');
    expect(logged.join('')).toContain('disk /secret/path failed');
    expect(byId.get(4)).toMatchObject({ type: 'result', id: 4 });
    client.ws.close();
  });

  it('runs calls concurrently and answers each by its id', async () => {
    const client = await Client.authed(server.url);
    client.send({ type: 'call', id: 10, verb: 'runBenchmark', args: { model: 'tiny' } });
    client.send({ type: 'call', id: 11, verb: 'getSettings', args: {} });
    // The benchmark is still waiting, so the later call must be answered first.
    expect(await client.next()).toMatchObject({ type: 'result', id: 11 });
    releaseBenchmark();
    expect(await client.next()).toMatchObject({
      type: 'result',
      id: 10,
      result: { model: 'tiny' },
    });
    client.ws.close();
  });

  it('pushes events to authenticated sockets only, and listens only while any exists', async () => {
    await events.until(0);
    const watcher = await Client.authed(server.url);
    await events.until(1);
    const stranger = await Client.open(server.url);
    events.push(logEvent('first'));
    expect(await watcher.next()).toEqual({ type: 'event', event: logEvent('first') });
    // Messages keep their order: an event sent to the stranger would arrive before `authed`.
    stranger.send({ type: 'auth', token: TOKEN });
    expect(await stranger.next()).toEqual({ type: 'authed' });
    events.push(logEvent('second'));
    expect(await stranger.next()).toEqual({ type: 'event', event: logEvent('second') });
    expect(await watcher.next()).toEqual({ type: 'event', event: logEvent('second') });
    watcher.ws.close();
    stranger.ws.close();
    await events.until(0);
  });
});

describe('control socket under pressure', () => {
  it('drops a client that stops reading, and keeps serving one that reads', async () => {
    const warnings = new EventEmitter();
    const logger = createLogger({ level: 'warn', write: (line) => warnings.emit('line', line) });
    const dropped = once(warnings, 'line');
    const { server, events } = await start({ logger });
    const reader = await Client.authed(server.url);
    const stalled = await Client.authed(server.url);
    stalled.ws.pause();
    let isDropped = false;
    void dropped.then(() => (isDropped = true));
    // 1 MiB events, each read by `reader` before the next: only `stalled` falls behind.
    const big = 'x'.repeat(1024 * 1024);
    for (let sent = 0; !isDropped; sent++) {
      expect(sent, 'the stalled client was never dropped').toBeLessThan(256);
      events.push(logEvent(big));
      expect(await reader.next()).toMatchObject({ type: 'event' });
    }
    expect(String((await dropped)[0])).toContain('client too slow');
    stalled.ws.resume();
    expect((await stalled.closed).code).toBe(1006);
    events.push(logEvent('still here'));
    expect(await reader.next()).toEqual({ type: 'event', event: logEvent('still here') });
    await server.close();
  });

  it('cuts a message far over the limit without reading it (1009)', async () => {
    const { server } = await start();
    const client = await Client.authed(server.url);
    client.send('x'.repeat(3 * MAX_WIRE_MESSAGE_BYTES));
    expect((await client.closed).code).toBe(1009);
    await server.close();
  });

  it('closes every socket when the server closes', async () => {
    const { server, events } = await start();
    const authed = await Client.authed(server.url);
    const waiting = await Client.open(server.url);
    await server.close();
    expect(await authed.closed).toEqual({ code: 1001, reason: 'server closing' });
    expect((await waiting.closed).code).toBe(1001);
    expect(events.listeners.size).toBe(0);
  });
});
