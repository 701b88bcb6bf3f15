/**
 * `POST /v1/embeddings` on the node's local OpenAI endpoint: float or base64 vectors, one
 * per input, with exact prompt-token usage. Inputs and vectors are never logged.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../common/log.js';
import {
  embeddingInputs,
  embeddingsRequestSchema,
  embeddingsResponse,
  type EmbeddingsResponse,
} from '../../../common/openaiEmbeddings.js';
import { ApiError, parseOrThrow, toApiError } from '../../../common/openaiErrors.js';
import type { ModelHost } from '../inference/modelHost.js';

/** The route's handler, reading the served models on every request. */
export function embeddingsHandler(models: () => readonly ModelHost[], logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<EmbeddingsResponse> => {
    const body = parseOrThrow(embeddingsRequestSchema, request.body);
    const host = models().find((model) => model.id === body.model);
    if (!host) throw ApiError.modelNotFound(body.model);
    if (body.dimensions != null) await assertDimensions(host, body.dimensions);

    const clientGone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) clientGone.abort(new Error('client disconnected'));
    });
    const inputs = embeddingInputs(body.input);
    try {
      const result = await host.embed(inputs, { signal: clientGone.signal });
      logger.info('embeddings done', {
        model: host.id,
        inputs: inputs.length,
        promptTokens: result.promptTokens,
        ms: Math.round(result.durationMs),
      });
      return embeddingsResponse(
        host.id,
        result.vectors,
        result.promptTokens,
        body.encoding_format ?? 'float',
      );
    } catch (error) {
      const outcome = clientGone.signal.aborted ? 'embeddings cancelled' : 'embeddings failed';
      logger.info(outcome, { model: host.id, status: toApiError(error).status });
      throw error;
    }
  };
}

/** Vectors are never shortened: `dimensions` may only name the model's own size. */
async function assertDimensions(host: ModelHost, dimensions: number): Promise<void> {
  await host.load();
  const size = host.embeddingSize;
  if (size !== undefined && dimensions !== size) {
    throw ApiError.invalidRequest(
      `This model's embeddings have ${size} dimensions and cannot be shortened; omit 'dimensions' or set it to ${size}`,
      'dimensions',
    );
  }
}
