/**
 * The engine's HTTP servers (the OpenAI endpoint, the control API) share this: a JSON-only
 * Fastify app whose every error, 404 included, has OpenAI's error shape, and a bearer check
 * in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../../../common/log.js';
import { ApiError, toApiError } from '../../../common/openaiErrors.js';

/** A Fastify app that speaks JSON and answers errors in OpenAI's shape. */
export function createJsonApp(logger: Logger, bodyLimit = 8 * 1024 * 1024): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit, forceCloseConnections: true });
  // JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      logger.error('request failed', {
        url: request.url,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    void reply.status(apiError.status).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(ApiError.unknownUrl(request.method, request.url).toBody());
  });
  return app;
}

/** Whether an `Authorization` header carries exactly `Bearer <secret>`. */
export function hasBearer(header: string | undefined, secret: string): boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The address a listening app can be reached at, e.g. `http://[::1]:4312`. */
export function listeningOrigin(app: FastifyInstance, host: string, fallbackPort: number): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : fallbackPort;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
