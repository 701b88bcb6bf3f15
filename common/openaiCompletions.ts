/**
 * OpenAI legacy text-completion shapes (`POST /v1/completions`) shared by the node's local
 * endpoint and the gateway: the request schema (one prompt per request), the response and
 * stream-chunk types, and the SSE encoder of a completion stream.
 */
import { z } from 'zod';
import { SSE_DONE, sseData } from './chatStream.js';
import type { ChatDelta } from './chatDelta.js';
import type { FinishReason, Usage } from './openai.js';
import type { OpenAiErrorBody } from './openaiErrors.js';

/** OpenAI's default `max_tokens` for text completions. */
export const DEFAULT_COMPLETION_MAX_TOKENS = 16;

const tokenId = z.number().int().min(0);

const promptSchema = z.union(
  [z.string(), z.array(z.string()), z.array(tokenId), z.array(z.array(tokenId))],
  {
    error:
      'prompt must be a string, an array of one string, an array of token ids, or an array of one token-id array',
  },
);

const stopSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]);

const NOT_SUPPORTED = 'is not supported by this server';

/**
 * `POST /v1/completions` body. Unknown fields are accepted and ignored, like the chat schema;
 * options this server cannot honour (`suffix`, `echo`, `best_of`, `n` above 1, `logprobs`,
 * `logit_bias`) are refused with a 400 that names them rather than silently dropped.
 */
export const completionRequestSchema = z
  .object({
    model: z.string().min(1),
    prompt: promptSchema,
    max_tokens: z.number().int().positive().nullish(),
    stop: stopSchema.nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    seed: z.number().int().nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    user: z.string().nullish(),
    suffix: z.string().nullish(),
    echo: z.boolean().nullish(),
    best_of: z.number().int().nullish(),
    n: z.number().int().nullish(),
    logprobs: z.number().int().nullish(),
    logit_bias: z.record(z.string(), z.number()).nullish(),
  })
  .check((ctx) => {
    const body = ctx.value;
    const issue = (path: keyof typeof body, message: string): void => {
      ctx.issues.push({ code: 'custom', input: body[path], path: [path], message });
    };
    const { prompt } = body;
    if (Array.isArray(prompt) && prompt.length === 0) issue('prompt', 'prompt must not be empty');
    const several = Array.isArray(prompt) && prompt.length > 1 && typeof prompt[0] !== 'number';
    if (several) issue('prompt', 'only one prompt per request is supported');
    if (Array.isArray(prompt) && Array.isArray(prompt[0]) && prompt[0].length === 0) {
      issue('prompt', 'prompt must not be an empty token array');
    }
    if (body.suffix != null) issue('suffix', `suffix ${NOT_SUPPORTED}`);
    if (body.echo) issue('echo', `echo ${NOT_SUPPORTED}`);
    if (body.best_of != null && body.best_of > 1) issue('best_of', 'only best_of=1 is supported');
    if (body.n != null && body.n > 1) issue('n', 'only n=1 is supported');
    if (body.logprobs != null) issue('logprobs', `logprobs ${NOT_SUPPORTED}`);
    if (body.logit_bias != null && Object.keys(body.logit_bias).length > 0) {
      issue('logit_bias', `logit_bias ${NOT_SUPPORTED}`);
    }
    if (body.stream_options != null && !body.stream) {
      issue('stream_options', 'stream_options is only allowed when stream is true');
    }
  });

export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** The request's one prompt: text, or token ids used as they are. */
export function completionPrompt(request: Pick<CompletionRequest, 'prompt'>): string | number[] {
  const { prompt } = request;
  if (typeof prompt === 'string') return prompt;
  const first = prompt[0];
  if (typeof first === 'string' || Array.isArray(first)) return first;
  return prompt as number[];
}

/** The completion budget: `max_tokens`, or OpenAI's default of 16. */
export function completionMaxTokens(request: Pick<CompletionRequest, 'max_tokens'>): number {
  return request.max_tokens ?? DEFAULT_COMPLETION_MAX_TOKENS;
}

/** Stop sequences as a list. */
export function completionStops(request: Pick<CompletionRequest, 'stop'>): string[] {
  if (request.stop == null) return [];
  return typeof request.stop === 'string' ? [request.stop] : request.stop;
}

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: { text: string; index: 0; logprobs: null; finish_reason: FinishReason }[];
  usage: Usage;
}

export interface TextCompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  /** One choice while streaming; empty in the usage chunk. */
  choices: { text: string; index: 0; logprobs: null; finish_reason: FinishReason | null }[];
  usage?: Usage | null;
}

/**
 * Produces the SSE text of one completion stream, in order: text chunks with a null
 * `finish_reason`, a last empty-text chunk with the finish reason, an optional usage chunk
 * with empty `choices`, then `data: [DONE]`.
 */
export class CompletionStreamEncoder {
  constructor(
    readonly id: string,
    readonly model: string,
    readonly created = Math.floor(Date.now() / 1000),
  ) {}

  private chunk(choices: TextCompletionChunk['choices'], usage?: Usage): string {
    const chunk: TextCompletionChunk = {
      id: this.id,
      object: 'text_completion',
      created: this.created,
      model: this.model,
      choices,
      ...(usage ? { usage } : {}),
    };
    return sseData(chunk);
  }

  /** A piece of generated text. */
  text(text: string): string {
    return this.chunk([{ text, index: 0, logprobs: null, finish_reason: null }]);
  }

  /** A node's delta, as a chat stream's encoder takes it: its content is the text. */
  delta(delta: ChatDelta): string {
    return this.text(delta.content ?? '');
  }

  /** The closing chunks: finish reason, usage when asked for, then `[DONE]`. */
  finish(finishReason: FinishReason, usage: Usage | null): string {
    let text = this.chunk([{ text: '', index: 0, logprobs: null, finish_reason: finishReason }]);
    if (usage) text += this.chunk([], usage);
    return text + SSE_DONE;
  }

  /** An error after the stream started: the final `data` event, carrying `error`. */
  error(body: OpenAiErrorBody): string {
    return sseData(body);
  }
}
