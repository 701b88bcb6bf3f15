/**
 * `POST /v1/chat/completions` on the gateway: route the request (nodes or upstream
 * providers, under the organization's rule), relay the output (streamed or whole), name the
 * route in the response headers, then account the request.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  chatCompletionRequestSchema,
  usageOf,
  type ChatCompletion,
  type FinishReason,
} from '../../common/openai.js';
import { ChatReply } from '../../common/chatDelta.js';
import { parseOrThrow } from '../../common/openaiErrors.js';
import { accountRequest, type AccountingDeps } from '../accounting/requestAccounting.js';
import type { Router } from '../routing/router.js';
import { DispatchError, type DispatchResult } from '../routing/dispatchTypes.js';
import type { Route } from '../routing/route.js';
import type { ApiKeyInfo } from '../store/types.js';
import { ChatStreamRelay } from './chatStreamRelay.js';

export interface ChatCompletionsDeps extends AccountingDeps {
  router: Router;
}

/** The header that pins a request to one route its rule allows. */
export const ROUTE_HEADER = 'x-byoi-route';

/** `x-byoi-route`, `x-byoi-node` and `x-byoi-attempts` for the route that served. */
function routeHeaders(route: Route, attempts: number): Record<string, string> {
  return {
    [ROUTE_HEADER]: route.label,
    ...(route.nodeId ? { 'x-byoi-node': route.nodeId } : {}),
    'x-byoi-attempts': String(attempts),
  };
}

/** Handles one chat-completion request from an authenticated client. */
export async function chatCompletions(
  deps: ChatCompletionsDeps,
  key: ApiKeyInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ChatCompletion | Record<string, unknown> | undefined> {
  const body = parseOrThrow(chatCompletionRequestSchema, request.body);
  const started = performance.now();
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const relay = body.stream ? new ChatStreamRelay(reply, id, body.model) : null;
  const answer = new ChatReply();
  const pin = request.headers[ROUTE_HEADER];

  let result: DispatchResult;
  try {
    result = await deps.router.dispatch(body, {
      orgId: key.orgId,
      body: request.body as Record<string, unknown>,
      pin: typeof pin === 'string' && pin !== '' ? pin : undefined,
      signal: clientGone.signal,
      onStart: (route, attempts) => {
        if (relay) relay.setHeaders(routeHeaders(route, attempts));
      },
      sink: {
        delta: (delta) => (relay ? relay.delta(delta) : answer.add(delta)),
        chunk: (chunk) => relay?.chunk(chunk),
      },
    });
  } catch (error) {
    if (!(error instanceof DispatchError)) throw error;
    const { apiError } = error;
    deps.logger.info(clientGone.signal.aborted ? 'request cancelled' : 'request failed', {
      id,
      model: body.model,
      stream: Boolean(body.stream),
      status: apiError.status,
      code: apiError.code,
      attempts: error.attempts,
    });
    if (error.attempts > 0 || error.segments.length > 0) {
      void accountRequest(deps, key, id, body.model, {
        kind: 'failed',
        error,
        latencyMs: performance.now() - started,
      });
    }
    if (!relay?.started) throw apiError;
    relay.fail(apiError.toBody());
    return undefined;
  }

  // Not awaited: its writes are already issued, so the client need not wait for the ledger.
  void accountRequest(deps, key, id, body.model, { kind: 'served', result });
  const usage = usageOf(result.usage.promptTokens, result.usage.completionTokens);
  deps.logger.info('request done', {
    id,
    route: result.route.id,
    attempts: result.attempts,
    model: body.model,
    stream: Boolean(body.stream),
    finishReason: result.finishReason,
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
  });
  const headers = routeHeaders(result.route, result.attempts);
  if (relay) {
    const wantsUsage = Boolean(body.stream_options?.include_usage);
    if (result.route.kind === 'upstream') {
      // A provider that sent no usage chunk was metered by estimate; the client still gets one.
      const usageChunk = result.usageChunk ?? {
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        choices: [],
        usage,
      };
      relay.finishPassthrough(wantsUsage ? usageChunk : null);
    } else {
      relay.finish(result.finishReason as FinishReason, wantsUsage ? usage : null);
    }
    return undefined;
  }
  void reply.headers(headers);
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
