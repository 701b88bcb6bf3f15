/**
 * The headless node's control server: `NodeApi` over HTTP for scripts (`GET /api/status`,
 * `GET /api/earnings.csv`, `POST /api/<verb>` with the verb's argument as the JSON body),
 * over a WebSocket at `/api/ws` for the browser dashboard, and the built dashboard itself at
 * `/`. The API needs the token from the data folder (a bearer header over HTTP, the first
 * message on the socket); the static dashboard does not. Every request must name this
 * server in Host (no DNS rebinding) and come from its own Origin, if any. Loopback by
 * default. Errors use OpenAI's shape.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../../../common/log.js';
import type { NodeApi } from '../../../common/nodeApi.js';
import type { WireError } from '../../../common/nodeApiWire.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { createJsonApp, hasBearer, listeningOrigin } from '../http/jsonApp.js';
import { attachControlSocket, type NodeEventSource } from './controlSocket.js';
import { defaultDashboardDir, registerDashboard } from './dashboard.js';
import { callVerb } from './dispatch.js';
import { createHostGuard, SECURITY_HEADERS } from './requestGuard.js';

export type { NodeEventSource } from './controlSocket.js';

export interface ControlServerOptions {
  api: NodeApi;
  host: string;
  port: number;
  token: string;
  logger: Logger;
  /** Events pushed to every authenticated socket; without it sockets only answer calls. */
  events?: NodeEventSource;
  /** The renderer build to serve at `/`; by default `out/renderer` beside the bundle. */
  dashboardDir?: string;
  /** How long a new socket has to authenticate (10 s); tests shorten it. */
  socketAuthTimeoutMs?: number;
}

export interface RunningControlServer {
  /** e.g. `http://127.0.0.1:11481` */
  url: string;
  /** Closes every socket and connection, then stops listening. */
  close(): Promise<void>;
}

const UNAUTHORIZED_MESSAGE =
  'The control API needs "Authorization: Bearer <token>"; the token is in the file control-token in the node\'s data folder';

/** Answers a failed call with its status and OpenAI's error body. */
function sendError(reply: FastifyReply, error: WireError): FastifyReply {
  const { status, message, type, code, param } = error;
  return reply.status(status).send({ error: { message, type, param, code } });
}

/** Builds the app (not listening), so tests can inject requests. `port` checks Host headers. */
export function buildControlApp(
  options: ControlServerOptions,
  port: () => number,
): FastifyInstance {
  const { token } = options;
  const app = createJsonApp(options.logger, 1024 * 1024);
  const guard = createHostGuard(options.host, port);

  app.addHook('onRequest', async (request) => {
    const refusal = guard(request.headers);
    if (refusal) throw refusal;
  });
  // onSend runs for every reply, errors and 404s included.
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers(SECURITY_HEADERS);
    return payload;
  });

  registerDashboard(app, {
    dir: options.dashboardDir ?? defaultDashboardDir(),
    logger: options.logger,
  });

  // The API's routes live in their own context, so that only they need the token.
  void app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      if (!hasBearer(request.headers.authorization, token)) {
        throw new ApiError(401, UNAUTHORIZED_MESSAGE, 'invalid_request_error', 'invalid_api_key');
      }
    });
    // Every route goes through the dispatcher: one way of making a call, whatever the transport.
    const call = (verb: string, args: unknown) => callVerb(options.api, verb, args, options.logger);
    api.get('/api/status', async (_request, reply) => {
      const outcome = await call('getStatus', {});
      return outcome.ok ? outcome.result : sendError(reply, outcome.error);
    });
    api.get('/api/earnings.csv', async (_request, reply) => {
      const outcome = await call('exportEarningsCsv', {});
      if (!outcome.ok) return sendError(reply, outcome.error);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="byoi-earnings.csv"')
        .send(outcome.result);
    });
    api.post<{ Params: { verb: string } }>('/api/:verb', async (request, reply) => {
      const outcome = await call(request.params.verb, request.body);
      return outcome.ok ? outcome.result : sendError(reply, outcome.error);
    });
  });
  // Upgrades never reach Fastify (see controlSocket.ts); a plain GET gets told what this is.
  app.get('/api/ws', () => {
    throw new ApiError(
      426,
      'GET /api/ws is the control WebSocket; connect with a WebSocket client',
      'invalid_request_error',
      'upgrade_required',
    );
  });
  return app;
}

/** Starts listening on `host:port` (port 0 picks a free one), with the control socket. */
export async function startControlServer(
  options: ControlServerOptions,
): Promise<RunningControlServer> {
  let boundPort = options.port;
  const app = buildControlApp(options, () => boundPort);
  const sockets = attachControlSocket(app.server, {
    api: options.api,
    token: options.token,
    logger: options.logger,
    guard: createHostGuard(options.host, () => boundPort),
    events: options.events,
    authTimeoutMs: options.socketAuthTimeoutMs,
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await sockets.close();
    throw error;
  }
  const url = listeningOrigin(app, options.host, options.port);
  boundPort = Number(new URL(url).port);
  return {
    url,
    close: async () => {
      await sockets.close();
      await app.close();
    },
  };
}
