/**
 * One delta type for everything a chat completion streams (content and tool-call fragments),
 * carried from the node's generation over the link, through the gateway's relay, into the
 * SSE encoder and the non-streamed body. Tool calls stream exactly as OpenAI's do: a call's
 * first fragment carries `index`, `id`, `type`, `function.name` and `arguments: ""`; the
 * fragments after it carry only `index` and `function.arguments`.
 */
import { z } from 'zod';
import type { ToolCall } from './openaiTools.js';

export const toolCallDeltaSchema = z.object({
  index: z.number().int().min(0).max(127),
  id: z
    .string()
    .regex(/^call_[A-Za-z0-9]{1,40}$/)
    .optional(),
  type: z.literal('function').optional(),
  function: z.object({
    name: z.string().max(64).optional(),
    arguments: z.string().max(65536),
  }),
});
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

/** What one stream chunk's `delta` holds besides the role. */
export interface ChatDelta {
  content?: string;
  tool_calls?: ToolCallDelta[];
}

/** A fresh OpenAI-style tool-call id, `call_` and 24 letters and digits. */
export function newToolCallId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `call_${Array.from(bytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Turns a generator's function-call output into OpenAI-shaped deltas. */
export class ToolCallDeltas {
  private started = -1;

  /** The deltas for one piece of call `index` (calls come in order, from 0). */
  piece(index: number, name: string, args: string): ToolCallDelta[] {
    const deltas: ToolCallDelta[] = [];
    if (index > this.started) {
      this.started = index;
      deltas.push({
        index,
        id: newToolCallId(),
        type: 'function',
        function: { name, arguments: '' },
      });
    }
    if (args !== '') deltas.push({ index, function: { arguments: args } });
    return deltas;
  }

  /** Calls started so far. */
  get count(): number {
    return this.started + 1;
  }
}

/**
 * Collects deltas into the assistant's whole message, and checks that they follow OpenAI's
 * shape (a call's header once, in order, naming a declared tool): what a node streams is
 * believed only when it does.
 */
export class ChatReply {
  private text = '';
  private readonly calls: ToolCall[] = [];

  constructor(private readonly toolNames: ReadonlySet<string> | null = null) {}

  /** Adds a delta; throws an Error saying what is wrong with it. */
  add(delta: ChatDelta): void {
    if (delta.content) this.text += delta.content;
    for (const call of delta.tool_calls ?? []) this.addCall(call);
  }

  private addCall(delta: ToolCallDelta): void {
    if (delta.index === this.calls.length) {
      const { id, type, function: fn } = delta;
      if (!id || type !== 'function' || !fn.name) {
        throw new Error(`tool call ${delta.index} starts without its id, type and name`);
      }
      if (this.toolNames && !this.toolNames.has(fn.name)) {
        throw new Error(`tool call ${delta.index} names an undeclared tool`);
      }
      this.calls.push({ id, type, function: { name: fn.name, arguments: fn.arguments } });
      return;
    }
    const call = this.calls[delta.index];
    if (!call || delta.index !== this.calls.length - 1) {
      throw new Error(`tool call fragment for call ${delta.index} is out of order`);
    }
    if (delta.id !== undefined || delta.function.name !== undefined) {
      throw new Error(`tool call ${delta.index} repeats its header`);
    }
    call.function.arguments += delta.function.arguments;
  }

  /** The text so far. */
  get content(): string {
    return this.text;
  }

  get toolCalls(): readonly ToolCall[] {
    return this.calls;
  }

  /** The non-streamed message. */
  message(): AssistantReply {
    return assistantReply(this.text, this.calls);
  }
}

/** The non-streamed message: `content: null` when only tools were called. */
export function assistantReply(text: string, toolCalls: readonly ToolCall[]): AssistantReply {
  if (toolCalls.length === 0) return { role: 'assistant', content: text, refusal: null };
  return {
    role: 'assistant',
    content: text === '' ? null : text,
    refusal: null,
    tool_calls: toolCalls.map((call) => ({ ...call, function: { ...call.function } })),
  };
}

export interface AssistantReply {
  role: 'assistant';
  content: string | null;
  refusal: null;
  tool_calls?: ToolCall[];
}
