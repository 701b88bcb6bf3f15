/**
 * The client API, OpenAI-compatible and behind API keys (`Authorization: Bearer byoi-sk-…`):
 * `GET /v1/models` (what online nodes serve now), `GET /v1/models/{id}`,
 * `POST /v1/chat/completions`, `POST /v1/embeddings`, `POST /v1/completions`, and `GET /v1/network/prices` (what the network pays).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelList } from '../../common/openai.js';
import { ApiError } from '../../common/openaiErrors.js';
import type { MarketModel } from '../../common/protocol.js';
import type { MarketFeed } from '../market/marketFeed.js';
import type { ConnectionCap } from '../httpLimits.js';
import type { ApiKeyInfo } from '../store/types.js';
import { chatCompletions } from './chatCompletions.js';
import { GuessThrottle } from './guessThrottle.js';
import { completions } from './completions.js';
import { embeddings } from './embeddings.js';
import type { TaskDeps } from './serveTask.js';

export interface ClientApiDeps extends TaskDeps {
  market: MarketFeed;
  /** Told of each connection that carried a valid key, so that it leaves the unauthenticated cap. */
  connections?: Pick<ConnectionCap, 'authenticated'>;
  /** The API key a console playground token acts as, or null (see consoleSessions.ts). */
  playgroundKey?: (token: string) => string | null;
}

/** `GET /v1/network/prices`: per model, quartiles of recent job prices (USD per 1M tokens). */
export interface NetworkPrices {
  object: 'list';
  /** ISO time the figures were computed. */
  at: string;
  data: MarketModel[];
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function invalidKey(message: string): ApiError {
  return new ApiError(401, message, 'invalid_request_error', 'invalid_api_key');
}

/** Registers the client routes in their own scope, so the key check guards only them. */
export function registerClientApi(app: FastifyInstance, deps: ClientApiDeps): void {
  const keys = new WeakMap<FastifyRequest, ApiKeyInfo>();
  const keyOf = (request: FastifyRequest): ApiKeyInfo => {
    const key = keys.get(request);
    if (!key) throw invalidKey('Missing API key');
    return key;
  };

  /** An API key's secret, or a playground token that acts as one of the org's active keys. */
  const authenticate = async (secret: string): Promise<ApiKeyInfo | null> => {
    const playgroundKeyId = deps.playgroundKey?.(secret);
    if (playgroundKeyId === undefined || playgroundKeyId === null)
      return deps.store.authenticateApiKey(secret);
    const info = await deps.store.getApiKey(playgroundKeyId);
    return info && info.revokedAt === null ? info : null;
  };

  const guesses = new GuessThrottle('API keys');
  void app.register(async (scope) => {
    // onRequest runs before the body is read: an unauthenticated caller gets a 401, never a 400.
    scope.addHook('onRequest', async (request) => {
      guesses.check(request.ip);
      const secret = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!secret) {
        throw invalidKey(
          "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.",
        );
      }
      const key = await authenticate(secret);
      if (!key) {
        guesses.miss(request.ip);
        throw invalidKey('Incorrect API key provided');
      }
      keys.set(request, key);
      deps.connections?.authenticated(request.raw.socket);
    });

    const created = Math.floor(Date.now() / 1000);
    // Models of paused nodes stay listed: their nodes come back, and meanwhile a request gets
    // 503 no_capacity (try again later) rather than 404 (no such model).
    const listModels = (): ModelList => ({
      object: 'list',
      data: deps.router
        .onlineModels()
        .map((id) => ({ id, object: 'model', created, owned_by: 'byoi-network' })),
    });
    scope.get('/v1/models', async () => listModels());
    scope.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
      const model = listModels().data.find((entry) => entry.id === request.params.id);
      if (!model) throw ApiError.modelNotFound(request.params.id);
      return model;
    });
    scope.post('/v1/chat/completions', (request, reply) =>
      chatCompletions(deps, keyOf(request), request, reply),
    );
    scope.post('/v1/embeddings', (request, reply) =>
      embeddings(deps, keyOf(request), request, reply),
    );
    scope.post('/v1/completions', (request, reply) =>
      completions(deps, keyOf(request), request, reply),
    );
    scope.get('/v1/network/prices', async (): Promise<NetworkPrices> => {
      const { at, models } = await deps.market.current();
      return { object: 'list', at, data: models };
    });
  });
}
