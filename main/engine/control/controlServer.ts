/**
 * The headless node's control API: `NodeApi` over HTTP for dashboards and scripts.
 * `GET /api/status`, `GET /api/earnings.csv`, and `POST /api/<verb>` with the verb's
 * argument as the JSON body. Every call needs the bearer token from the data folder; the
 * Host header must name this server (no DNS rebinding) and a browser's Origin must be this
 * server's own. Loopback by default. Errors use OpenAI's shape.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Logger } from '../../../common/log.js';
import { isLoopback } from '../../../common/address.js';
import { isNodeApiVerb, nodeApiArgs, type NodeApi } from '../../../common/nodeApi.js';
import { ApiError, parseOrThrow } from '../../../common/openaiErrors.js';
import { createJsonApp, hasBearer, listeningOrigin } from '../http/jsonApp.js';

export interface ControlServerOptions {
  api: NodeApi;
  host: string;
  port: number;
  token: string;
  logger: Logger;
}

export interface RunningControlServer {
  /** e.g. `http://127.0.0.1:11481` */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Host names this server answers to: loopback names, and the bound address itself. */
function allowedHostnames(boundHost: string): string[] | 'any' {
  // Bound to every interface: the names it is reached by are not known here; the token guards it.
  if (boundHost === '0.0.0.0' || boundHost === '::') return 'any';
  const bound = boundHost.includes(':') ? `[${boundHost}]` : boundHost;
  return isLoopback(boundHost) ? [...LOOPBACK_NAMES, bound] : [bound];
}

function forbidden(message: string, code: string): ApiError {
  return new ApiError(403, message, 'invalid_request_error', code);
}

/** Builds the app (not listening), so tests can inject requests. `port` checks Host headers. */
export function buildControlApp(
  options: ControlServerOptions,
  port: () => number,
): FastifyInstance {
  const { api, token } = options;
  const app = createJsonApp(options.logger, 1024 * 1024);
  const hostnames = allowedHostnames(options.host);

  const allowedHosts = () =>
    hostnames === 'any' ? 'any' : new Set(hostnames.map((name) => `${name}:${port()}`));
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const hosts = allowedHosts();
    const host = request.headers.host ?? '';
    if (hosts !== 'any' && !hosts.has(host.toLowerCase())) {
      throw forbidden(`Host '${host}' is not this control server`, 'host_not_allowed');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      throw forbidden(`Requests from origin '${origin}' are not allowed`, 'origin_not_allowed');
    }
    if (!hasBearer(request.headers.authorization, token)) {
      throw new ApiError(
        401,
        'The control API needs "Authorization: Bearer <token>"; the token is in the file control-token in the node\'s data folder',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
  });

  app.get('/api/status', () => api.getStatus({}));
  app.get('/api/earnings.csv', async (_request, reply) => {
    const csv = await api.exportEarningsCsv({});
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="byoi-earnings.csv"')
      .send(csv);
  });
  app.post<{ Params: { verb: string } }>('/api/:verb', async (request) => {
    const { verb } = request.params;
    if (!isNodeApiVerb(verb)) throw ApiError.unknownUrl(request.method, request.url);
    const args = parseOrThrow(nodeApiArgs[verb] as z.ZodType, request.body ?? {});
    return (api[verb] as (args: unknown) => Promise<unknown>)(args);
  });
  return app;
}

/** Starts listening on `host:port` (port 0 picks a free one). */
export async function startControlServer(
  options: ControlServerOptions,
): Promise<RunningControlServer> {
  let boundPort = options.port;
  const app = buildControlApp(options, () => boundPort);
  await app.listen({ host: options.host, port: options.port });
  const url = listeningOrigin(app, options.host, options.port);
  boundPort = Number(new URL(url).port);
  return { url, close: () => app.close() };
}
