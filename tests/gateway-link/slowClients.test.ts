/**
 * Slow clients hold no sockets: headers and bodies that do not arrive in time are answered
 * 408 and closed, key or no key, while other clients are served; a streamed answer is not
 * cut by those timeouts; and one address may hold only so many connections that have not
 * presented a valid API key.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHttpLimits } from '../../gateway/httpLimits.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

const HEADERS_TIMEOUT_MS = 150;
const REQUEST_TIMEOUT_MS = 300;
const CAP = 4;

let t: TestGateway;
let port = 0;

beforeAll(async () => {
  t = await startTestGateway({
    httpLimits: {
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      maxUnauthenticatedPerAddress: CAP,
    },
  });
  port = Number(new URL(t.gateway.url).port);
});

afterAll(async () => {
  await t?.close();
});

interface RawClient {
  socket: Socket;
  /** Everything the gateway sent, once it closed the connection. */
  closed: Promise<string>;
  /** The next bytes the gateway sends ('' if it closes the connection first). */
  next(): Promise<string>;
}

/** A TCP connection to the gateway, from `localAddress` (another loopback address) if given. */
function rawClient(localAddress?: string): RawClient {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let received = '';
  const waiting: ((data: string) => void)[] = [];
  socket.on('data', (data: Buffer) => {
    received += String(data);
    waiting.shift()?.(String(data));
  });
  socket.on('error', () => undefined);
  return {
    socket,
    closed: new Promise((resolve) =>
      socket.once('close', () => {
        waiting.splice(0).forEach((resolveNext) => resolveNext(''));
        resolve(received);
      }),
    ),
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

function errorCodeOf(raw: string): unknown {
  return (JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: unknown } }).error
    .code;
}

const partialBody = (key: string, m: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
  `Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"model":"${m}",`;

describe('slow clients', () => {
  it.each([
    ['sends nothing', ''],
    ['sends half a header', 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthoriz'],
  ])('closes a connection that %s after the headers timeout', async (_name, sent) => {
    const started = Date.now();
    const slow = rawClient();
    slow.socket.write(sent);
    // Meanwhile another client is served.
    const healthy = await fetch(`${t.gateway.url}/healthz`);
    expect(healthy.status).toBe(200);
    const answer = await slow.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 5);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(errorCodeOf(answer)).toBe('request_timeout');
  });

  it('closes a slow body sent with a valid key, and offers nothing to a node', async () => {
    const { link } = await t.connectNode([model('slow-body')]);
    const started = Date.now();
    const slow = rawClient();
    slow.socket.write(partialBody(t.apiKey, 'slow-body'));
    const models = await t.client.models.list();
    expect(models.data.map((entry) => entry.id)).toContain('slow-body');
    const answer = await slow.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 5);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    await link.sync();
    expect(link.pending()).toEqual([]);
  });

  it('does not cut a streamed answer that lasts longer than the request timeout', async () => {
    const { link } = await t.connectNode([model('long-stream')]);
    const opening = t.client.chat.completions.create({
      model: 'long-stream',
      messages: USER,
      stream: true,
    });
    const offer = await link.acceptNext();
    link.chunks(offer.jobId, ['Hel']);
    const stream = await opening;
    const streamStarted = Date.now();
    // A body that times out: once it has, the request timeout has passed for the stream too.
    const slow = rawClient();
    slow.socket.write(partialBody(t.apiKey, 'long-stream'));
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - streamStarted).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 5);
    link.chunks(offer.jobId, ['lo'], 1);
    link.done(offer.jobId, { promptTokens: 3, completionTokens: 2 });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello');
  });

  it.skipIf(process.platform !== 'linux')(
    'caps the connections of one address that have not presented a key',
    async () => {
      const from = '127.0.0.2';
      const health = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
      // A node link from the same address: once upgraded, it is the link's to time out.
      const link = rawClient(from);
      const upgraded = link.next();
      link.socket.write(
        `GET ${new URL(t.gateway.linkUrl).pathname} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
          `Sec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\n\r\n`,
      );
      expect(await upgraded).toMatch(/^HTTP\/1\.1 101 /);
      // Keep-alive connections that asked only for something needing no key, up to the cap.
      const held = Array.from({ length: CAP }, () => rawClient(from));
      for (const client of held) {
        const answer = client.next();
        client.socket.write(health);
        expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
      }
      const refused = rawClient(from);
      refused.socket.write(health);
      expect(await refused.closed).toBe('');
      // Another address is served meanwhile.
      expect((await fetch(`${t.gateway.url}/healthz`)).status).toBe(200);

      // A valid key takes a connection out of the count, and the address may connect again.
      const authenticated = held[0]!.next();
      held[0]!.socket.write(
        `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.apiKey}\r\n\r\n`,
      );
      expect(await authenticated).toMatch(/^HTTP\/1\.1 200 /);
      const admitted = rawClient(from);
      const answer = admitted.next();
      admitted.socket.write(health);
      expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
      for (const client of [link, ...held, admitted]) client.socket.destroy();
    },
  );
});

describe('HTTP limits', () => {
  it('fills in defaults and refuses values that cannot work', () => {
    expect(resolveHttpLimits({ headersTimeoutMs: 5 }).requestTimeoutMs).toBe(30_000);
    expect(() => resolveHttpLimits({ headersTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => resolveHttpLimits({ maxConnections: 1.5 })).toThrow(RangeError);
    expect(() => resolveHttpLimits({ headersTimeoutMs: 2000, requestTimeoutMs: 1000 })).toThrow(
      /headersTimeoutMs/,
    );
  });
});
