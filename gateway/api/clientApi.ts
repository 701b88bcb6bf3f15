/**
 * The client API, OpenAI-compatible and behind API keys (`Authorization: Bearer byoi-sk-…`):
 * `GET /v1/models` (what online nodes serve now), `GET /v1/models/{id}` and
 * `POST /v1/chat/completions`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelList } from '../../common/openai.js';
import { ApiError } from '../../common/openaiErrors.js';
import type { ApiKeyInfo } from '../store/types.js';
import { chatCompletions, type ChatCompletionsDeps } from './chatCompletions.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function invalidKey(message: string): ApiError {
  return new ApiError(401, message, 'invalid_request_error', 'invalid_api_key');
}

/** Registers the client routes in their own scope, so the key check guards only them. */
export function registerClientApi(app: FastifyInstance, deps: ChatCompletionsDeps): void {
  const keys = new WeakMap<FastifyRequest, ApiKeyInfo>();
  const keyOf = (request: FastifyRequest): ApiKeyInfo => {
    const key = keys.get(request);
    if (!key) throw invalidKey('Missing API key');
    return key;
  };

  void app.register(async (scope) => {
    // onRequest runs before the body is read: an unauthenticated caller gets a 401, never a 400.
    scope.addHook('onRequest', async (request) => {
      const secret = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!secret) {
        throw invalidKey(
          "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'.",
        );
      }
      const key = await deps.store.authenticateApiKey(secret);
      if (!key) throw invalidKey('Incorrect API key provided');
      keys.set(request, key);
    });

    const created = Math.floor(Date.now() / 1000);
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
  });
}
