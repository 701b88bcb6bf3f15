/**
 * The node's local OpenAI-compatible endpoint: `POST /v1/chat/completions` (streaming and
 * not), `POST /v1/embeddings`, `POST /v1/completions` (legacy text completions, streaming and
 * not) and `GET /v1/models`. Loopback by default; an API key is required to listen anywhere else.
 */
import { isLoopback } from '../../../common/address.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assistantReply } from '../../../common/chatDelta.js';
import { ChatStreamEncoder } from '../../../common/chatStream.js';
import {
  chatCompletionRequestSchema,
  usageOf,
  type ChatCompletion,
  type ModelList,
} from '../../../common/openai.js';
import { ApiError, parseOrThrow } from '../../../common/openaiErrors.js';
import { createJsonApp, hasBearer, listeningOrigin } from '../http/jsonApp.js';
import { createHostGuard } from '../control/requestGuard.js';
import type { GenerationCallbacks, ModelHost } from '../inference/modelHost.js';
import type { Logger } from '../../../common/log.js';
import { completionsHandler } from './completionsRoute.js';
import { embeddingsHandler } from './embeddingsRoute.js';
import { generationRun, streamGeneration } from './generationRun.js';

export interface OpenAiServerOptions {
  /** The models served now (read on every request, so models can come and go). */
  models: () => readonly ModelHost[];
  host: string;
  port: number;
  logger: Logger;
  /** When set, every `/v1` call needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:43121/v1` */
  baseURL: string;
  close(): Promise<void>;
}

/** Builds the Fastify app (not listening yet), so tests can inject requests too. */
export function buildOpenAiApp(options: OpenAiServerOptions): FastifyInstance {
  const { logger } = options;
  const created = Math.floor(Date.now() / 1000);
  const app = createJsonApp(logger);
  // The Host must name this server, so a page that rebinds its own name to 127.0.0.1 gets
  // nothing from it (DNS rebinding).
  const guard = createHostGuard(options.host, () => listeningPort(app), {
    server: 'OpenAI endpoint',
    checkOrigin: false,
  });
  app.addHook('onRequest', async (request) => {
    const refusal = guard(request.headers);
    if (refusal) throw refusal;
  });
  const { apiKey } = options;
  if (apiKey) {
    app.addHook('onRequest', async (request) => {
      if (!hasBearer(request.headers.authorization, apiKey)) {
        throw new ApiError(
          401,
          'Incorrect API key provided',
          'invalid_request_error',
          'invalid_api_key',
        );
      }
    });
  }

  const listModels = (): ModelList => ({
    object: 'list',
    data: options.models().map(({ id }) => ({
      id,
      object: 'model',
      created,
      owned_by: 'byoi-node',
    })),
  });
  app.get('/v1/models', async () => listModels());
  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
    const model = listModels().data.find((entry) => entry.id === request.params.id);
    if (!model) throw ApiError.modelNotFound(request.params.id);
    return model;
  });
  app.post('/v1/chat/completions', (request, reply) =>
    chatCompletions(options.models(), logger, request, reply),
  );
  app.post('/v1/embeddings', embeddingsHandler(options.models, logger));
  app.post('/v1/completions', completionsHandler(options.models, logger));
  return app;
}

async function chatCompletions(
  models: readonly ModelHost[],
  logger: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const body = parseOrThrow(chatCompletionRequestSchema, request.body);
  const host = models.find((model) => model.id === body.model);
  if (!host) throw ApiError.modelNotFound(body.model);

  const run = generationRun(reply, logger, {
    prefix: 'chatcmpl',
    model: host.id,
    stream: Boolean(body.stream),
  });
  const { id } = run;
  const generate = (stream?: Pick<GenerationCallbacks, 'onText' | 'onToolCalls'>) =>
    run.logged((signal) => host.generate(body, { signal, ...stream }));

  if (!body.stream) {
    const result = await generate();
    const completion: ChatCompletion = {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: host.id,
      choices: [
        {
          index: 0,
          message: assistantReply(result.text, result.toolCalls),
          finish_reason: result.finishReason,
          logprobs: null,
        },
      ],
      usage: usageOf(result.promptTokens, result.completionTokens),
    };
    return completion;
  }

  const encoder = new ChatStreamEncoder(id, host.id);
  await streamGeneration(
    reply,
    async (write) => {
      const result = await generate({
        onText: (text) => write(encoder.text(text)),
        onToolCalls: (deltas) => write(encoder.delta({ tool_calls: deltas })),
      });
      const usage = body.stream_options?.include_usage
        ? usageOf(result.promptTokens, result.completionTokens)
        : null;
      return encoder.finish(result.finishReason, usage);
    },
    (error) => encoder.error(error),
  );
}

/** The port the app listens on (0 before it does). */
function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Starts listening. */
export async function startOpenAiServer(options: OpenAiServerOptions): Promise<RunningServer> {
  if (!isLoopback(options.host) && !options.apiKey) {
    throw new Error(
      `Refusing to serve the OpenAI endpoint on ${options.host} without an API key: pass --api-key (or BYOI_API_KEY), or listen on 127.0.0.1`,
    );
  }
  const app = buildOpenAiApp(options);
  await app.listen({ host: options.host, port: options.port });
  return {
    baseURL: `${listeningOrigin(app, options.host, options.port)}/v1`,
    close: () => app.close(),
  };
}
