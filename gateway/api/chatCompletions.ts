/**
 * `POST /v1/chat/completions` on the gateway: route the request to a node, relay its output
 * (streamed or collected), then account the job and send the node its signed receipt.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  chatCompletionRequestSchema,
  usageOf,
  type ChatCompletion,
  type ChatCompletionRequest,
} from '../../common/openai.js';
import { parseOrThrow, toApiError } from '../../common/openaiErrors.js';
import { settleJob } from '../accounting/receipts.js';
import type { ReceiptSigner } from '../accounting/signingKey.js';
import type { Logger } from '../../common/log.js';
import type { DispatchResult, Router } from '../routing/router.js';
import type { ApiKeyInfo, GatewayStore } from '../store/types.js';
import { ChatStreamRelay } from './chatStreamRelay.js';

export interface ChatCompletionsDeps {
  store: GatewayStore;
  router: Router;
  signer: ReceiptSigner;
  /** The network fee, in basis points of the charge. */
  feeBasisPoints: number;
  logger: Logger;
}

/** Debits the client, credits the node's owner, and sends the node its receipt. */
async function settle(
  deps: ChatCompletionsDeps,
  key: ApiKeyInfo,
  request: ChatCompletionRequest,
  result: DispatchResult,
): Promise<void> {
  const { usage } = result.done;
  try {
    const signed = await settleJob(
      deps.store,
      deps.signer,
      {
        jobId: result.jobId,
        nodeId: result.session.nodeId,
        model: request.model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        price: result.price,
        orgId: key.orgId,
        apiKeyId: key.id,
      },
      deps.feeBasisPoints,
    );
    if (signed) result.session.sendReceipt(signed.receipt, signed.signature);
  } catch (error) {
    // The client was served; a ledger failure is ours to fix, not the client's error.
    deps.logger.error('accounting failed', {
      jobId: result.jobId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Handles one chat-completion request from an authenticated client. */
export async function chatCompletions(
  deps: ChatCompletionsDeps,
  key: ApiKeyInfo,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ChatCompletion | undefined> {
  const body = parseOrThrow(chatCompletionRequestSchema, request.body);
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const relay = body.stream ? new ChatStreamRelay(reply, id, body.model) : null;
  const texts: string[] = [];

  let result: DispatchResult;
  try {
    result = await deps.router.dispatch(body, {
      signal: clientGone.signal,
      onChunk: (text) => (relay ? relay.text(text) : texts.push(text)),
    });
  } catch (error) {
    const apiError = toApiError(error);
    deps.logger.info(clientGone.signal.aborted ? 'request cancelled' : 'request failed', {
      id,
      model: body.model,
      stream: Boolean(body.stream),
      status: apiError.status,
      code: apiError.code,
    });
    if (!relay?.started) throw error;
    relay.fail(apiError.toBody());
    return undefined;
  }

  await settle(deps, key, body, result);
  const { done } = result;
  const usage = usageOf(done.usage.promptTokens, done.usage.completionTokens);
  deps.logger.info('request done', {
    id,
    jobId: result.jobId,
    nodeId: result.session.nodeId,
    model: body.model,
    stream: Boolean(body.stream),
    finishReason: done.finishReason,
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
  });
  if (relay) {
    relay.finish(done.finishReason, body.stream_options?.include_usage ? usage : null);
    return undefined;
  }
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: texts.join(''), refusal: null },
        finish_reason: done.finishReason,
        logprobs: null,
      },
    ],
    usage,
  };
}
