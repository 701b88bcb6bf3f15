/**
 * `POST /v1/completions` (OpenAI's legacy text completions) on the node's local endpoint:
 * one prompt continued as it is, streaming (SSE) and not. Prompts and text are never logged.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../common/log.js';
import { usageOf } from '../../../common/openai.js';
import {
  CompletionStreamEncoder,
  completionRequestSchema,
  type TextCompletion,
} from '../../../common/openaiCompletions.js';
import { ApiError, parseOrThrow } from '../../../common/openaiErrors.js';
import type { ModelHost } from '../inference/modelHost.js';
import { generationRun, streamGeneration } from './generationRun.js';

/** The route's handler, reading the served models on every request. */
export function completionsHandler(models: () => readonly ModelHost[], logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<TextCompletion | void> => {
    const body = parseOrThrow(completionRequestSchema, request.body);
    const host = models().find((model) => model.id === body.model);
    if (!host) throw ApiError.modelNotFound(body.model);

    const run = generationRun(reply, logger, {
      prefix: 'cmpl',
      model: host.id,
      stream: Boolean(body.stream),
    });
    const { id } = run;
    const complete = (onText?: (text: string) => void) =>
      run.logged((signal) => host.complete(body, { signal, onText }));

    if (!body.stream) {
      const result = await complete();
      return {
        id,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: host.id,
        choices: [
          { text: result.text, index: 0, logprobs: null, finish_reason: result.finishReason },
        ],
        usage: usageOf(result.promptTokens, result.completionTokens),
      };
    }

    const encoder = new CompletionStreamEncoder(id, host.id);
    await streamGeneration(
      reply,
      async (write) => {
        const result = await complete((text) => write(encoder.text(text)));
        const usage = body.stream_options?.include_usage
          ? usageOf(result.promptTokens, result.completionTokens)
          : null;
        return encoder.finish(result.finishReason, usage);
      },
      (error) => encoder.error(error),
    );
  };
}
