/**
 * OpenAI chat-completions shapes shared by the node's local endpoint and the gateway.
 * Requests are parsed with zod; responses and stream chunks are plain types.
 */
import { z } from 'zod';
import type { AssistantReply, ChatDelta } from './chatDelta.js';
import {
  jsonSchemaObject,
  MAX_TOOLS,
  toolCallSchema,
  toolChoiceSchema,
  toolIssues,
  toolsSchema,
} from './openaiTools.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });

const messageContent = z.union([
  z.string(),
  z
    .array(
      z.object({ type: z.string(), text: z.unknown().optional() }).check((ctx) => {
        if (ctx.value.type !== 'text') {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            path: ['type'],
            message: `content part type '${ctx.value.type}' is not supported; only 'text' is`,
          });
        } else if (!textPart.safeParse(ctx.value).success) {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            path: ['text'],
            message: 'a text part needs a string `text`',
          });
        }
      }),
    )
    .min(1),
]);

/** One chat message: a system, user or assistant turn, or a tool's result. */
export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.enum(['system', 'developer', 'user']),
    content: messageContent,
    name: z.string().optional(),
  }),
  z
    .object({
      role: z.literal('assistant'),
      content: messageContent.nullish(),
      name: z.string().optional(),
      tool_calls: z.array(toolCallSchema).max(MAX_TOOLS).nullish(),
      refusal: z.string().nullish(),
    })
    .check((ctx) => {
      if (ctx.value.content == null && (ctx.value.tool_calls?.length ?? 0) === 0) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.content,
          path: ['content'],
          message: 'an assistant message needs content or tool_calls',
        });
      }
    }),
  z.object({
    role: z.literal('tool'),
    content: messageContent,
    tool_call_id: z.string().min(1).max(128),
  }),
]);

const jsonSchemaFormat = z.object({
  type: z.literal('json_schema'),
  json_schema: z.object({
    name: z.string().min(1).max(64),
    description: z.string().optional(),
    schema: jsonSchemaObject,
    strict: z.boolean().nullish(),
  }),
});

const stopSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]);

/**
 * `POST /v1/chat/completions` body. Unknown fields are accepted and ignored, as most
 * OpenAI-compatible servers do, so clients that send `user` or `metadata` keep working.
 */
export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(chatMessageSchema).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    stop: stopSchema.nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.number().int().nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        jsonSchemaFormat,
      ])
      .nullish(),
    tools: toolsSchema.nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    logprobs: z.literal(false, 'logprobs are not supported by this server').nullish(),
  })
  .check((ctx) => {
    const { n, stream, stream_options } = ctx.value;
    if (n != null && n !== 1) {
      ctx.issues.push({ code: 'custom', input: n, path: ['n'], message: 'only n=1 is supported' });
    }
    if (stream_options != null && !stream) {
      ctx.issues.push({
        code: 'custom',
        input: stream_options,
        path: ['stream_options'],
        message: 'stream_options is only allowed when stream is true',
      });
    }
    for (const issue of toolIssues(ctx.value)) ctx.issues.push({ code: 'custom', ...issue });
  });

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Why generation ended, in OpenAI's words. */
export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: 0;
    message: AssistantReply;
    finish_reason: FinishReason;
    logprobs: null;
  }[];
  usage: Usage;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: 0;
    delta: ChatDelta & { role?: 'assistant' };
    finish_reason: FinishReason | null;
    logprobs: null;
  }[];
  usage?: Usage | null;
}

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/** The text of a message, with text parts joined. */
export function messageText(message: ChatMessage): string {
  if (message.content == null) return '';
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/** The completion budget the client asked for, if any (`max_completion_tokens` wins). */
export function requestedMaxTokens(request: ChatCompletionRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

/** Stop sequences as a list. */
export function stopSequences(request: ChatCompletionRequest): string[] {
  if (request.stop == null) return [];
  return typeof request.stop === 'string' ? [request.stop] : request.stop;
}

/** Builds usage with its total. */
export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}
