/**
 * What the node's generating endpoints (chat and text completions) share: the request's
 * abort when the client goes away, one log line per outcome (counts and timings, never the
 * prompt or output), and a stream whose errors are a plain HTTP error before its first byte
 * and a final `data: {error}` event after it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Logger } from '../../../common/log.js';
import { toApiError, type OpenAiErrorBody } from '../../../common/openaiErrors.js';
import type { GenerationResult } from '../inference/modelHost.js';
import { SseWriter } from '../../../common/node/sseWriter.js';

export interface GenerationRun {
  /** The response id: `prefix` and a random hex string. */
  id: string;
  /** Runs the generation and logs how it ended. */
  logged(run: (signal: AbortSignal) => Promise<GenerationResult>): Promise<GenerationResult>;
}

export function generationRun(
  reply: FastifyReply,
  logger: Logger,
  facts: { prefix: string; model: string; stream: boolean },
): GenerationRun {
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort(new Error('client disconnected'));
  });
  const id = `${facts.prefix}-${randomUUID().replaceAll('-', '')}`;
  const fields = { id, model: facts.model, stream: facts.stream };
  return {
    id,
    async logged(run) {
      try {
        const result = await run(clientGone.signal);
        logger.info('request done', {
          ...fields,
          finishReason: result.finishReason,
          promptTokens: result.promptTokens,
          completionTokens: result.completionTokens,
          ttftMs: result.timeToFirstTokenMs === null ? null : Math.round(result.timeToFirstTokenMs),
          ms: Math.round(result.durationMs),
        });
        return result;
      } catch (error) {
        const outcome = clientGone.signal.aborted ? 'request cancelled' : 'request failed';
        logger.info(outcome, { ...fields, status: toApiError(error).status });
        throw error;
      }
    },
  };
}

/**
 * Streams `generate`'s output as SSE: `finish` gives the closing events, `error` the final
 * error event once the stream has started (before it, the error is thrown as it is).
 */
export async function streamGeneration(
  reply: FastifyReply,
  generate: (write: (text: string) => void) => Promise<string>,
  error: (body: OpenAiErrorBody) => string,
): Promise<void> {
  const stream = new SseWriter(reply);
  try {
    stream.end(await generate((text) => stream.write(text)));
  } catch (caught) {
    if (!stream.started) throw caught;
    stream.end(error(toApiError(caught).toBody()));
  }
}
