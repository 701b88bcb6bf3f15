/**
 * `POST /v1/chat/completions` on the gateway: route the request (nodes or upstream
 * providers, under the organization's rule), relay the output (streamed or whole: content
 * and tool calls), name the route in the response headers, then account the request.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatReply } from '../../common/chatDelta.js';
import {
  chatCompletionRequestSchema,
  usageOf,
  type ChatCompletion,
  type FinishReason,
} from '../../common/openai.js';
import { parseOrThrow } from '../../common/openaiErrors.js';
import type { ApiKeyInfo } from '../store/types.js';
import { StreamRelay } from './streamRelay.js';
import { cacheStateHeader, openChatCache } from '../policy/chatCache.js';
import type { RouteSink } from '../routing/route.js';
import { pinOf, serveTask, type TaskDeps } from './serveTask.js';

/** Handles one chat-completion request from an authenticated client. */
export async function chatCompletions(
  deps: TaskDeps,
  key: ApiKeyInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ChatCompletion | Record<string, unknown> | undefined> {
  const body = parseOrThrow(chatCompletionRequestSchema, request.body);
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const relay = body.stream ? new StreamRelay(reply, id, body.model) : null;
  const answer = new ChatReply();
  const sink: RouteSink = {
    delta: (delta) => (relay ? relay.delta(delta) : answer.add(delta)),
    chunk: (chunk) => relay?.chunk(chunk),
  };
  const cache = openChatCache(
    deps,
    key,
    body,
    request.body as Record<string, unknown>,
    request.headers['cache-control'],
    pinOf(request),
  );
  if (cache) {
    if (relay) relay.setHeaders(cacheStateHeader(cache));
    else void reply.headers(cacheStateHeader(cache));
  }
  const step = cache === 'bypass' ? undefined : (cache ?? undefined);
  const result = await serveTask({
    deps,
    key,
    request,
    reply,
    id,
    task: { kind: 'chat', request: body },
    stream: relay,
    sink: step ? step.sink(sink) : sink,
    cache: step,
  });
  if (!result) return undefined;
  if ('replayed' in result) return result.replayed;
  const usage = usageOf(result.usage.promptTokens, result.usage.completionTokens);
  if (relay) {
    const wantsUsage = Boolean(body.stream_options?.include_usage);
    relay.finishServed(result, usage, wantsUsage, 'chat.completion.chunk');
    return undefined;
  }
  if (result.body) return { ...result.body, model: body.model };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: answer.message(),
        finish_reason: result.finishReason as FinishReason,
        logprobs: null,
      },
    ],
    usage,
  };
}
