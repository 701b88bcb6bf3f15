/**
 * Builds OpenAI chat-completion stream chunks and their SSE framing, so the node and the
 * gateway stream exactly alike: one id per stream, the role in the first delta,
 * `finish_reason` only on the last choice chunk, and an optional usage chunk with empty
 * `choices` before `data: [DONE]`.
 */
import type { ChatDelta } from './chatDelta.js';
import type { ChatCompletionChunk, FinishReason, Usage } from './openai.js';
import type { OpenAiErrorBody } from './openaiErrors.js';

/** `data: <json>\n\n`. */
export function sseData(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The stream's terminator. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** Produces the SSE text of one chat-completion stream, in order. */
export class ChatStreamEncoder {
  private sentRole = false;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly created = Math.floor(Date.now() / 1000),
  ) {}

  private chunk(
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finishReason: FinishReason | null,
  ): string {
    const chunk: ChatCompletionChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
    return sseData(chunk);
  }

  /** The first chunk: the assistant role with empty content. */
  start(): string {
    this.sentRole = true;
    return this.chunk({ role: 'assistant', content: '' }, null);
  }

  /** A content delta (the role chunk is sent first if it was not yet). */
  text(content: string): string {
    return this.delta({ content });
  }

  /** Any delta: content or tool-call fragments (the role chunk is sent first if it was not yet). */
  delta(delta: ChatDelta): string {
    const head = this.sentRole ? '' : this.start();
    return head + this.chunk(delta, null);
  }

  /** The closing chunks: finish reason, usage when asked for, then `[DONE]`. */
  finish(finishReason: FinishReason, usage: Usage | null): string {
    const head = this.sentRole ? '' : this.start();
    let text = head + this.chunk({}, finishReason);
    if (usage) {
      const usageChunk: ChatCompletionChunk = {
        id: this.id,
        object: 'chat.completion.chunk',
        created: this.created,
        model: this.model,
        choices: [],
        usage,
      };
      text += sseData(usageChunk);
    }
    return text + SSE_DONE;
  }

  /** An error after the stream started: the final `data` event, carrying `error`. */
  error(body: OpenAiErrorBody): string {
    return sseData(body);
  }
}
