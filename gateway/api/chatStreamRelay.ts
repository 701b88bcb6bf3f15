/**
 * Relays one chat-completion stream to the client as SSE, framed by {@link ChatStreamEncoder}
 * exactly as the node does. Headers go out with the first chunk, so that anything that fails
 * before it (no node, bad request) can still be a plain HTTP error.
 */
import type { FastifyReply } from 'fastify';
import { ChatStreamEncoder } from '../../common/chatStream.js';
import type { FinishReason, Usage } from '../../common/openai.js';
import type { OpenAiErrorBody } from '../../common/openaiErrors.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export class ChatStreamRelay {
  private readonly encoder: ChatStreamEncoder;
  private open = false;

  constructor(
    private readonly reply: FastifyReply,
    id: string,
    model: string,
  ) {
    this.encoder = new ChatStreamEncoder(id, model);
  }

  /** Whether the response has started (after which errors go in the stream). */
  get started(): boolean {
    return this.open;
  }

  /** A content delta (the role chunk goes first). */
  text(content: string): void {
    this.write(this.encoder.text(content));
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
    const raw = this.reply.raw;
    if (!this.open) {
      this.open = true;
      this.reply.hijack();
      raw.writeHead(200, SSE_HEADERS);
    }
    if (!raw.destroyed) raw.write(text);
  }

  private end(text: string): void {
    this.write(text);
    if (!this.reply.raw.destroyed) this.reply.raw.end();
  }
}
