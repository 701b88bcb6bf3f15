/**
 * `POST /v1/completions` on the gateway (the legacy text completions that code-completion
 * tools still use): routed like chat, to nodes that announced `completions` and to upstream
 * providers, streamed or whole, with usage.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FinishReason } from '../../common/openai.js';
import { usageOf } from '../../common/openai.js';
import {
  CompletionStreamEncoder,
  completionRequestSchema,
  type TextCompletion,
} from '../../common/openaiCompletions.js';
import { parseOrThrow } from '../../common/openaiErrors.js';
import type { ApiKeyInfo } from '../store/types.js';
import { serveTask, type TaskDeps } from './serveTask.js';
import { StreamRelay } from './streamRelay.js';

export async function completions(
  deps: TaskDeps,
  key: ApiKeyInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<TextCompletion | Record<string, unknown> | undefined> {
  const body = parseOrThrow(completionRequestSchema, request.body);
  const id = `cmpl-${randomUUID().replaceAll('-', '')}`;
  const relay = body.stream
    ? new StreamRelay(reply, id, body.model, new CompletionStreamEncoder(id, body.model))
    : null;
  let text = '';
  const result = await serveTask({
    deps,
    key,
    request,
    reply,
    id,
    task: { kind: 'completions', request: body },
    stream: relay,
    sink: {
      delta: (delta) => (relay ? relay.delta(delta) : (text += delta.content ?? '')),
      chunk: (chunk) => relay?.chunk(chunk),
    },
  });
  if (!result) return undefined;
  const usage = usageOf(result.usage.promptTokens, result.usage.completionTokens);
  const finishReason = result.finishReason as FinishReason;
  if (relay) {
    const wantsUsage = Boolean(body.stream_options?.include_usage);
    relay.finishServed(result, usage, wantsUsage, 'text_completion');
    return undefined;
  }
  if (result.body) return { ...result.body, model: body.model };
  return {
    id,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}
