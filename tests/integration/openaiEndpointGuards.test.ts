/**
 * The node's local OpenAI endpoint, without a model: a Host that does not name it (DNS
 * rebinding) is a 403 in OpenAI's shape, the loopback names and the configured host with its
 * port pass, and a schema nested too deep is a 400 naming the field, as at the gateway.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { MAX_SCHEMA_DEPTH } from '../../common/openaiTools.js';
import { buildOpenAiApp } from '../../main/engine/openai/openaiServer.js';

let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  app = buildOpenAiApp({ models: () => [], host: '127.0.0.1', port: 0, logger: silentLogger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});

afterAll(async () => {
  await app?.close();
});

const modelsWith = (target: FastifyInstance, host: string) =>
  target.inject({ method: 'GET', url: '/v1/models', headers: { host } });

describe('the OpenAI endpoint’s Host check', () => {
  it.each(['evil.example', 'evil.example:PORT', 'localhost:1', '127.0.0.1'])(
    'refuses the Host %j with a 403',
    async (host) => {
      const response = await modelsWith(app, host.replace('PORT', String(port)));
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({
        error: {
          message: expect.stringContaining('is not this OpenAI endpoint'),
          type: 'invalid_request_error',
          param: null,
          code: 'host_not_allowed',
        },
      });
    },
  );

  it.each(['localhost:PORT', '127.0.0.1:PORT', '[::1]:PORT', 'LOCALHOST:PORT'])(
    'serves the Host %j',
    async (host) => {
      const response = await modelsWith(app, host.replace('PORT', String(port)));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ object: 'list', data: [] });
    },
  );

  it('serves the host it was configured to listen on, and only that one', async () => {
    // Not listening: the port is 0 here, and the guard reads it on each request.
    const lan = buildOpenAiApp({
      models: () => [],
      host: '192.0.2.7',
      port: 0,
      logger: silentLogger,
      apiKey: 'k',
    });
    const headers = { authorization: 'Bearer k' };
    const ok = await lan.inject({
      url: '/v1/models',
      headers: { ...headers, host: '192.0.2.7:0' },
    });
    expect(ok.statusCode).toBe(200);
    const loopback = await lan.inject({
      url: '/v1/models',
      headers: { ...headers, host: 'localhost:0' },
    });
    expect(loopback.statusCode).toBe(403);
    await lan.close();
  });
});

describe('the OpenAI endpoint’s schema limits', () => {
  it('refuses tool parameters nested too deep with a 400 naming the field', async () => {
    let parameters: object = { type: 'string' };
    for (let level = 0; level < MAX_SCHEMA_DEPTH; level++) {
      parameters = { type: 'object', properties: { a: parameters } };
    }
    const response = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { host: `127.0.0.1:${port}` },
      payload: {
        model: 'tiny',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'f', parameters } }],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      type: 'invalid_request_error',
      param: 'tools[0].function.parameters',
    });
  });
});
