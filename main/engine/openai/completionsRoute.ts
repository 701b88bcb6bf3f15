/**
 * `POST /v1/completions` (OpenAI's legacy text completions) on the node's local endpoint:
 * one prompt continued as it is, streaming (SSE) and not. Prompts and text are never logged.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../common/log.js';
import { usageOf } from '../../../common/openai.js';
import {
  CompletionStreamEncoder,
  completionRequestSchema,
  type TextCompletion,
} from '../../../common/openaiCompletions.js';
import { ApiError, parseOrThrow, toApiError } from '../../../common/openaiErrors.js';
import type { ModelHost } from '../inference/modelHost.js';
import { SseResponse } from './sseResponse.js';

/** The route's handler, reading the served models on every request. */
export function completionsHandler(models: () => readonly ModelHost[], logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<TextCompletion | void> => {
    const body = parseOrThrow(completionRequestSchema, request.body);
    const host = models().find((model) => model.id === body.model);
    if (!host) throw ApiError.modelNotFound(body.model);

    const clientGone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) clientGone.abort(new Error('client disconnected'));
    });
    const id = `cmpl-${randomUUID().replaceAll('-', '')}`;
    const complete = async (onText?: (text: string) => void) => {
      try {
        const result = await host.complete(body, { signal: clientGone.signal, onText });
        logger.info('completion done', {
          id,
          model: host.id,
          stream: Boolean(body.stream),
          finishReason: result.finishReason,
          promptTokens: result.promptTokens,
          completionTokens: result.completionTokens,
          ttftMs: result.timeToFirstTokenMs === null ? null : Math.round(result.timeToFirstTokenMs),
          ms: Math.round(result.durationMs),
        });
        return result;
      } catch (error) {
        const outcome = clientGone.signal.aborted ? 'completion cancelled' : 'completion failed';
        logger.info(outcome, { id, model: host.id, status: toApiError(error).status });
        throw error;
      }
    };

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
    const stream = new SseResponse(reply);
    try {
      const result = await complete((text) => stream.write(encoder.text(text)));
      const usage = body.stream_options?.include_usage
        ? usageOf(result.promptTokens, result.completionTokens)
        : null;
      stream.end(encoder.finish(result.finishReason, usage));
    } catch (error) {
      // Before the first byte, a plain HTTP error (status and JSON) is still possible.
      if (!stream.started) throw error;
      stream.end(encoder.error(toApiError(error).toBody()));
    }
  };
}
