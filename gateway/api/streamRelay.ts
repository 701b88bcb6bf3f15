/**
 * Relays one stream to the client as SSE: a node's deltas framed by the encoder exactly as
 * the node frames them (chat's {@link ChatStreamEncoder}, or the text-completion one), and
 * upstream chunks passed through
 * field by field under the stream's one id and the client's model id. Headers (with the
 * route's names) go out with the first chunk, so that anything that fails before it (no
 * route, bad request) can still be a plain HTTP error.
 */
import type { FastifyReply } from 'fastify';
import { ChatStreamEncoder, sseData, SSE_DONE } from '../../common/chatStream.js';
import type { ChatDelta } from '../../common/chatDelta.js';
import type { FinishReason, Usage } from '../../common/openai.js';
import type { OpenAiErrorBody } from '../../common/openaiErrors.js';
import type { DispatchResult } from '../routing/dispatchTypes.js';
import { SseWriter } from '../../common/node/sseWriter.js';

/** What the relay needs of an encoder. */
export type StreamEncoder = Pick<ChatStreamEncoder, 'delta' | 'finish' | 'error'>;

export class StreamRelay {
  private readonly sse: SseWriter;

  constructor(
    reply: FastifyReply,
    private readonly id: string,
    private readonly model: string,
    private readonly encoder: StreamEncoder = new ChatStreamEncoder(id, model),
  ) {
    this.sse = new SseWriter(reply);
  }

  /** Extra response headers, sent with the first chunk (the policy's, the route that serves it). */
  setHeaders(headers: Record<string, string>): void {
    this.sse.setHeaders(headers);
  }

  /** An upstream chunk, as it came but for the stream's id and the client's model id. */
  chunk(chunk: Record<string, unknown>): void {
    this.write(sseData({ ...chunk, id: this.id, model: this.model }));
  }

  /** Ends a passed-through stream: the usage chunk when the client asked for it, then `[DONE]`. */
  finishPassthrough(usageChunk: Record<string, unknown> | null): void {
    this.end(
      (usageChunk ? sseData({ ...usageChunk, id: this.id, model: this.model }) : '') + SSE_DONE,
    );
  }

  /**
   * Ends the stream of a served request: a passed-through upstream stream with its usage
   * chunk when the client asked for usage (built from the metered usage when the provider
   * sent none, with `object` as its object type), a node's stream with its closing chunks.
   */
  finishServed(result: DispatchResult, usage: Usage, wantsUsage: boolean, object: string): void {
    // A relayed request was served by a node of another instance: deltas, like a node's.
    if (result.route.kind !== 'upstream') {
      return this.finish(result.finishReason as FinishReason, wantsUsage ? usage : null);
    }
    const usageChunk = result.usageChunk ?? {
      object,
      created: Math.floor(Date.now() / 1000),
      choices: [],
      usage,
    };
    this.finishPassthrough(wantsUsage ? usageChunk : null);
  }

  /** Whether the response has started (after which errors go in the stream). */
  get started(): boolean {
    return this.sse.started;
  }

  /** A node's delta: content or tool-call fragments (the role chunk goes first). */
  delta(delta: ChatDelta): void {
    this.write(this.encoder.delta(delta));
  }

  /** The finish reason, usage when asked for, and `[DONE]`; ends the response. */
  finish(finishReason: FinishReason, usage: Usage | null): void {
    this.end(this.encoder.finish(finishReason, usage));
  }

  /** Ends a started stream with a final `data: {error}` event (and no `[DONE]`). */
  fail(body: OpenAiErrorBody): void {
    this.end(this.encoder.error(body));
  }

  private write(text: string): void {
    this.sse.write(text);
  }

  private end(text: string): void {
    this.sse.end(text);
  }
}
