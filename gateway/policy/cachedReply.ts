/**
 * What the response cache keeps of a served chat completion, and how a hit answers: a
 * {@link ReplyRecorder} watches the route's output (node deltas, upstream stream chunks, or
 * a non-streamed upstream body) and gives the entry once the request was served whole;
 * {@link replayCached} answers from an entry exactly as a live node answer looks, as one
 * `chat.completion` body or as the same SSE chunks {@link StreamRelay} sends.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  assistantReply,
  ToolCallDeltas,
  newToolCallId,
  type ChatDelta,
} from '../../common/chatDelta.js';
import {
  usageOf,
  type ChatCompletion,
  type ChatCompletionRequest,
  type FinishReason,
} from '../../common/openai.js';
import { ChatStreamEncoder } from '../../common/chatStream.js';
import { modelPriceSchema } from '../../common/protocol.js';
import { StreamRelay } from '../api/streamRelay.js';
import type { DispatchResult } from '../routing/dispatchTypes.js';
import type { RouteSink } from '../routing/route.js';

/** The response header a replayed answer carries. */
export const CACHE_HEADER = 'x-byoi-cache';
/** The route a hit is accounted with. */
export const CACHE_ROUTE = 'cache';

const CACHEABLE_FINISH = ['stop', 'length', 'tool_calls'] as const;
const count = z.number().int().nonnegative();

/** One stored answer (validated when read back: the database is a boundary too). */
export const cachedReplySchema = z.object({
  v: z.literal(1),
  /** The assistant's text, empty when it only called tools. */
  content: z.string(),
  /** The tools called, whole; ids are new on every replay. */
  toolCalls: z.array(z.object({ name: z.string().min(1).max(64), arguments: z.string() })),
  finishReason: z.enum(CACHEABLE_FINISH),
  /** As served and billed the first time. */
  usage: z.object({ promptTokens: count, completionTokens: count }),
  /** The route that served it: its id, label (`x-byoi-route`) and kind. */
  route: z.object({
    id: z.string(),
    label: z.string(),
    kind: z.enum(['node', 'upstream', 'relay']),
  }),
  /** What the organization was charged, USD per 1M tokens. */
  price: modelPriceSchema,
});
export type CachedReply = z.infer<typeof cachedReplySchema>;

/** An entry read from the store, or null when it is not one (then it is a miss). */
export function parseCachedReply(body: unknown): CachedReply | null {
  const parsed = cachedReplySchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

interface RecordedCall {
  name: string;
  arguments: string;
}

/**
 * Records what one served chat request produced. Put {@link tee} in front of the request's
 * sink; after dispatch, {@link entry} gives what may be cached, or null.
 */
export class ReplyRecorder {
  private text = '';
  private readonly calls: RecordedCall[] = [];
  /** Why the output cannot be replayed (a shape the replay would not reproduce). */
  private unusable: string | null = null;

  /** A sink that records, then passes everything on to `sink`. */
  tee(sink: RouteSink): RouteSink {
    return {
      delta: (delta) => {
        this.delta(delta);
        sink.delta(delta);
      },
      chunk: (chunk) => {
        this.chunk(chunk);
        sink.chunk(chunk);
      },
    };
  }

  /** A node's delta (already checked by the node route). */
  delta(delta: ChatDelta): void {
    if (delta.content) this.text += delta.content;
    for (const call of delta.tool_calls ?? []) {
      this.fragment(call.index, call.function.name, call.function.arguments);
    }
  }

  /** An upstream stream chunk; the usage chunk (empty `choices`) adds nothing. */
  chunk(chunk: Record<string, unknown>): void {
    const { choices } = chunk;
    if (!Array.isArray(choices) || choices.length === 0) return;
    const choice = choices[0] as Record<string, unknown> | null;
    if (choices.length !== 1 || !isObject(choice) || (choice.index ?? 0) !== 0) {
      return this.refuse('more than one choice');
    }
    const delta = choice.delta;
    if (delta === undefined || delta === null) return;
    if (!isObject(delta)) return this.refuse('a delta that is not an object');
    if (delta.refusal !== undefined && delta.refusal !== null) return this.refuse('a refusal');
    if (typeof delta.content === 'string') this.text += delta.content;
    else if (delta.content !== undefined && delta.content !== null) {
      return this.refuse('content that is not text');
    }
    if (delta.tool_calls === undefined || delta.tool_calls === null) return;
    if (!Array.isArray(delta.tool_calls)) return this.refuse('tool calls that are not a list');
    for (const call of delta.tool_calls as unknown[]) {
      const fn = isObject(call) && isObject(call.function) ? call.function : null;
      if (!isObject(call) || !fn || typeof call.index !== 'number') {
        return this.refuse('a tool call out of shape');
      }
      const name = typeof fn.name === 'string' && fn.name !== '' ? fn.name : undefined;
      const args = typeof fn.arguments === 'string' ? fn.arguments : '';
      this.fragment(call.index, name, args);
    }
  }

  /**
   * The entry to cache for the request `result` served, or null when it must not be: the
   * output was out of shape, it ended other than stop/length/tool_calls, or it was a stream
   * continued on another node (more than one segment).
   */
  entry(result: DispatchResult): CachedReply | null {
    if (this.unusable !== null) return null;
    const segment = result.segments.length === 1 ? result.segments[0] : undefined;
    if (!segment || segment.route.id !== result.route.id) return null;
    const finishReason = cacheableFinish(result.finishReason);
    if (!finishReason) return null;
    let content = this.text;
    let toolCalls: RecordedCall[] = this.calls;
    if (result.body) {
      const message = bodyMessage(result.body);
      if (!message) return null;
      ({ content, toolCalls } = message);
    }
    const parsed = cachedReplySchema.safeParse({
      v: 1,
      content,
      toolCalls,
      finishReason,
      usage: {
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
      },
      route: { id: result.route.id, label: result.route.label, kind: result.route.kind },
      price: segment.price,
    } satisfies CachedReply);
    return parsed.success ? parsed.data : null;
  }

  private fragment(index: number, name: string | undefined, args: string): void {
    if (index === this.calls.length) {
      this.calls.push({ name: name ?? '', arguments: args });
      return;
    }
    const call = index === this.calls.length - 1 ? this.calls[index] : undefined;
    if (!call) return this.refuse('tool call fragments out of order');
    if (name !== undefined && call.name === '') call.name = name;
    call.arguments += args;
  }

  private refuse(why: string): void {
    this.unusable ??= why;
  }
}

export interface ReplayOptions {
  /** The client's request: its model id, `stream` and `stream_options`. */
  request: ChatCompletionRequest;
  /** The response id; a new `chatcmpl-…` by default. */
  id?: string;
  /** More response headers (e.g. `x-byoi-route: cache`); `x-byoi-cache: hit` is always set. */
  headers?: Record<string, string>;
  /** Epoch ms, for `created` (Date.now by default). */
  now?: () => number;
}

/** Characters (code points) per replayed content chunk. */
const REPLAY_PIECE = 64;

/**
 * Answers the client from `entry`. Non-streamed, returns the `chat.completion` body (the
 * handler sends it, with the headers set here). Streamed, writes the SSE chunks a live node
 * stream has (role, content pieces, tool-call fragments, finish, the usage chunk only when
 * `stream_options.include_usage`, `[DONE]`) and returns undefined.
 */
export function replayCached(
  reply: FastifyReply,
  entry: CachedReply,
  options: ReplayOptions,
): ChatCompletion | undefined {
  const { request } = options;
  const id = options.id ?? `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const created = Math.floor((options.now ?? Date.now)() / 1000);
  const headers = { ...options.headers, [CACHE_HEADER]: 'hit' };
  const usage = usageOf(entry.usage.promptTokens, entry.usage.completionTokens);
  if (!request.stream) {
    void reply.headers(headers);
    const calls = entry.toolCalls.map((call) => ({
      id: newToolCallId(),
      type: 'function' as const,
      function: { name: call.name, arguments: call.arguments },
    }));
    return {
      id,
      object: 'chat.completion',
      created,
      model: request.model,
      choices: [
        {
          index: 0,
          message: assistantReply(entry.content, calls),
          finish_reason: entry.finishReason,
          logprobs: null,
        },
      ],
      usage,
    };
  }
  const relay = new StreamRelay(
    reply,
    id,
    request.model,
    new ChatStreamEncoder(id, request.model, created),
  );
  relay.setHeaders(headers);
  for (const piece of contentPieces(entry.content, REPLAY_PIECE)) relay.delta({ content: piece });
  const calls = new ToolCallDeltas();
  entry.toolCalls.forEach((call, index) => {
    relay.delta({ tool_calls: calls.piece(index, call.name, call.arguments) });
  });
  const wantsUsage = Boolean(request.stream_options?.include_usage);
  relay.finish(entry.finishReason as FinishReason, wantsUsage ? usage : null);
  return undefined;
}

/** `text` in pieces of at most `size` code points (a surrogate pair is never split). */
export function contentPieces(text: string, size: number): string[] {
  const points = Array.from(text);
  const pieces: string[] = [];
  for (let start = 0; start < points.length; start += size) {
    pieces.push(points.slice(start, start + size).join(''));
  }
  return pieces;
}

function cacheableFinish(reason: string): CachedReply['finishReason'] | null {
  return (CACHEABLE_FINISH as readonly string[]).includes(reason)
    ? (reason as CachedReply['finishReason'])
    : null;
}

/** The one choice's message of a non-streamed upstream body, or null when out of shape. */
function bodyMessage(
  body: Record<string, unknown>,
): { content: string; toolCalls: RecordedCall[] } | null {
  const { choices } = body;
  if (!Array.isArray(choices) || choices.length !== 1) return null;
  const choice: unknown = choices[0];
  const message = isObject(choice) ? choice.message : null;
  if (!isObject(message)) return null;
  if (message.refusal !== undefined && message.refusal !== null) return null;
  const content = message.content ?? '';
  if (typeof content !== 'string') return null;
  const toolCalls: RecordedCall[] = [];
  for (const call of Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : []) {
    const fn = isObject(call) ? call.function : null;
    if (!isObject(fn) || typeof fn.name !== 'string' || typeof fn.arguments !== 'string') {
      return null;
    }
    toolCalls.push({ name: fn.name, arguments: fn.arguments });
  }
  if (
    message.tool_calls !== undefined &&
    message.tool_calls !== null &&
    !Array.isArray(message.tool_calls)
  ) {
    return null;
  }
  return { content, toolCalls };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
