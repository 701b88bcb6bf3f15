import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { NODE_API_VERBS, type NodeApi, type NodeApiVerb } from '../../common/nodeApi.js';
import { defaultSettings, type Settings } from '../../common/settings.js';
import {
  startControlServer,
  type RunningControlServer,
} from '../../main/engine/control/controlServer.js';
import { loadOrCreateControlToken } from '../../main/engine/control/controlToken.js';

/** Sends a raw request so that Host and Origin can be set freely (fetch forbids it). */
function send(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{
  status: number;
  body: string;
  type: string | undefined;
  headers: IncomingHttpHeaders;
}> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            type: res.headers['content-type'],
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The transport under test; behind it, a NodeApi that records what it was asked. */
function recordingApi(calls: [string, unknown][]): NodeApi {
  let settings: Settings = defaultSettings();
  const answers: Partial<Record<NodeApiVerb, (args: never) => unknown>> = {
    getStatus: () => ({ schedule: { mode: settings.schedule.mode } }),
    getSettings: () => settings,
    setMode: (args: { mode: Settings['schedule']['mode'] }) => {
      settings = { ...settings, schedule: { ...settings.schedule, mode: args.mode } };
      return settings;
    },
    exportEarningsCsv: () => 'served_at,job_id\n2026-11-24,"a,b"\n',
    getEarnings: () => {
      throw new Error('ledger at /home/someone/.byoi is corrupt');
    },
  };
  const entries = NODE_API_VERBS.map((verb) => [
    verb,
    async (args: unknown) => {
      calls.push([verb, args]);
      return (answers[verb] ?? (() => settings))(args as never);
    },
  ]);
  return Object.fromEntries(entries) as NodeApi;
}

describe('control server', () => {
  let dir: string;
  let server: RunningControlServer;
  let token: string;
  let host: string;
  const calls: [string, unknown][] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byoi-control-'));
    token = await loadOrCreateControlToken(dir);
    server = await startControlServer({
      api: recordingApi(calls),
      host: '127.0.0.1',
      port: 0,
      token,
      logger: createLogger({ level: 'error', write: (line) => logged.push(line) }),
    });
    host = new URL(server.url).host;
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const auth = () => ({ authorization: `Bearer ${token}` });

  it('keeps its token in a 0600 file and reuses it', async () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(dir, 'control-token'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateControlToken(dir)).toBe(token);
  });

  it('refuses a token file it cannot use instead of replacing it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'byoi-control-bad-'));
    await writeFile(join(other, 'control-token'), 'short\n');
    await expect(loadOrCreateControlToken(other)).rejects.toThrow(/does not hold a usable token/);
    expect(await readFile(join(other, 'control-token'), 'utf8')).toBe('short\n');
    await rm(other, { recursive: true, force: true });
  });

  it('answers GET /api/status with the bearer token', async () => {
    const response = await send(server.url, { path: '/api/status', headers: { host, ...auth() } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ schedule: { mode: 'idle' } });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['a token without Bearer', { authorization: 'x'.repeat(71) }],
  ])('refuses %s with 401 in the OpenAI error shape', async (_name, headers) => {
    const response = await send(server.url, { path: '/api/status', headers: { host, ...headers } });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message: expect.stringContaining('control-token'),
    });
  });

  it.each(['evil.example', 'evil.example:80', '127.0.0.1:1', 'localhost'])(
    'refuses the Host %j (DNS rebinding) even with the token',
    async (badHost) => {
      const response = await send(server.url, {
        path: '/api/status',
        headers: { host: badHost, ...auth() },
      });
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body).error.code).toBe('host_not_allowed');
    },
  );

  it('accepts localhost as the Host name', async () => {
    const port = new URL(server.url).port;
    const response = await send(server.url, {
      path: '/api/status',
      headers: { host: `localhost:${port}`, ...auth() },
    });
    expect(response.status).toBe(200);
  });

  it('refuses a foreign Origin and accepts its own', async () => {
    const foreign = await send(server.url, {
      path: '/api/status',
      headers: { host, origin: 'http://evil.example', ...auth() },
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe('origin_not_allowed');
    const own = await send(server.url, {
      path: '/api/status',
      headers: { host, origin: `http://${host}`, ...auth() },
    });
    expect(own.status).toBe(200);
  });

  it('runs a verb with its validated argument', async () => {
    const response = await send(server.url, {
      method: 'POST',
      path: '/api/setMode',
      headers: { host, ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'always' }),
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).schedule.mode).toBe('always');
    expect(calls).toContainEqual(['setMode', { mode: 'always' }]);
  });

  it.each([
    ['a bad value', '/api/setMode', { mode: 'sometimes' }, 400, 'mode'],
    ['an unknown field', '/api/pause', { minutes: 5, extra: 1 }, 400, null],
    ['a negative pause', '/api/pause', { minutes: -1 }, 400, 'minutes'],
    ['an unknown verb', '/api/formatDisk', {}, 404, null],
  ])('answers %s with an OpenAI-shaped error', async (_name, path, body, status, param) => {
    const before = calls.length;
    const response = await send(server.url, {
      method: 'POST',
      path,
      headers: { host, ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    const error = JSON.parse(response.body).error;
    expect(error.message).toEqual(expect.any(String));
    if (param) expect(error.param).toBe(param);
    expect(calls.length).toBe(before);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await send(server.url, {
      method: 'POST',
      path: '/api/setMode',
      headers: { host, ...auth(), 'content-type': 'application/json' },
      body: '{"mode":',
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.type).toBe('invalid_request_error');
  });

  it('serves the earnings as a CSV download', async () => {
    const response = await send(server.url, {
      path: '/api/earnings.csv',
      headers: { host, ...auth() },
    });
    expect(response.status).toBe(200);
    expect(response.type).toMatch(/^text\/csv/);
    expect(response.body).toBe('served_at,job_id\n2026-11-24,"a,b"\n');
  });

  it('answers an unknown verb with 404 unknown_verb, as every transport does', async () => {
    const response = await send(server.url, {
      method: 'POST',
      path: '/api/formatDisk',
      headers: { host, ...auth(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'unknown_verb',
      message: "Unknown verb 'formatDisk'",
    });
  });

  it('answers a failing verb with a generic 500 and logs the real cause', async () => {
    const response = await send(server.url, {
      method: 'POST',
      path: '/api/getEarnings',
      headers: { host, ...auth(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(500);
    const error = JSON.parse(response.body).error;
    expect(error).toMatchObject({ type: 'server_error', code: 'internal_error' });
    expect(response.body).not.toContain('/home/someone');
    expect(logged.join('')).toContain('ledger at /home/someone/.byoi is corrupt');
  });

  it.each([
    ['an answer', auth()],
    ['a refusal', {}],
  ])('puts the security headers on %s', async (_name, headers) => {
    const response = await send(server.url, { path: '/api/status', headers: { host, ...headers } });
    expect(response.headers).toMatchObject({
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
  });

  it('tells a plain GET of the socket path to upgrade', async () => {
    const response = await send(server.url, { path: '/api/ws', headers: { host } });
    expect(response.status).toBe(426);
    expect(JSON.parse(response.body).error.code).toBe('upgrade_required');
  });
});
