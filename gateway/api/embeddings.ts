/**
 * `POST /v1/embeddings` on the gateway: routed like chat (to nodes that announced
 * `embeddings`, and to upstream providers, under the organization's rule), billed at the
 * route's prompt price per input token, with the vectors as floats or base64.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  embeddingInputs,
  embeddingsRequestSchema,
  embeddingsResponse,
  type EmbeddingsResponse,
} from '../../common/openaiEmbeddings.js';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import type { ApiKeyInfo } from '../store/types.js';
import { serveTask, type TaskDeps } from './serveTask.js';

export async function embeddings(
  deps: TaskDeps,
  key: ApiKeyInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<EmbeddingsResponse | Record<string, unknown>> {
  const body = parseOrThrow(embeddingsRequestSchema, request.body);
  const result = await serveTask({
    deps,
    key,
    request,
    reply,
    id: `embd-${randomUUID().replaceAll('-', '')}`,
    task: { kind: 'embeddings', request: body, inputs: embeddingInputs(body.input) },
    stream: null,
    sink: { delta: () => undefined, chunk: () => undefined },
  });
  // A provider's answer passes through, under the model id the client asked for.
  if (result?.body) return { ...result.body, model: body.model };
  if (!result?.vectors) throw ApiError.internal();
  return embeddingsResponse(
    body.model,
    result.vectors,
    result.usage.promptTokens,
    body.encoding_format ?? 'float',
  );
}
