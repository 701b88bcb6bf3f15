/**
 * What one upstream try produced, as it arrives: stream chunks go to the sink as the
 * provider sent them (except the usage-only chunk, held back for the relay), and the try's
 * {@link UpstreamResult} is built from what was seen. Usage the provider did not report is
 * estimated, and the result says so.
 */
import type { RouteFailure, RouteJob, RouteResult, RouteSink } from '../routing/route.js';
import { brokenStream, providerError, type Produced } from './upstreamErrors.js';

/** What a try on an upstream returns: a {@link RouteResult} and what the relay may need. */
export interface UpstreamResult extends RouteResult {
  /** The held-back chunk with empty `choices` and `usage`, as the provider sent it. */
  usageChunk?: Record<string, unknown>;
  /** The provider reported no usage; {@link RouteResult.usage} is the gateway's estimate. */
  estimated?: boolean;
}

type UsageNumbers = RouteResult['usage'];

/**
 * The provider's usage, when it is two non-negative integers (embeddings report prompt
 * tokens only: their completion is 0).
 */
function usageOf(value: unknown): UsageNumbers | null {
  if (value === null || typeof value !== 'object') return null;
  const { prompt_tokens: prompt, completion_tokens: reported } = value as Record<string, unknown>;
  const completion = reported === undefined ? 0 : reported;
  if (!Number.isSafeInteger(prompt) || !Number.isSafeInteger(completion)) return null;
  if ((prompt as number) < 0 || (completion as number) < 0) return null;
  return { promptTokens: prompt as number, completionTokens: completion as number };
}

/** The prompt's size in tokens, roughly: a quarter of its JSON's length (messages, prompt or input). */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  const prompt = body.messages ?? body.prompt ?? body.input ?? [];
  return Math.ceil((JSON.stringify(prompt) ?? '').length / 4);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export class ChatOutput {
  readonly produced: Produced = { text: '', chunks: 0 };
  /** performance.now() of the first chunk sent to the sink. */
  firstChunkAt: number | null = null;
  finishReason: string | null = null;
  /** Chunks with content, a tool-call fragment or a refusal: the estimate's completion tokens. */
  private contentChunks = 0;
  /** Characters of a non-streamed answer's content: the estimate's completion tokens ÷ 4. */
  private contentChars = 0;
  private usage: UsageNumbers | null = null;
  private usageChunk: Record<string, unknown> | undefined;

  constructor(
    private readonly sink: RouteSink,
    /** Scrubbed from provider messages. */
    private readonly key: string,
  ) {}

  /** One SSE `data` event: 'done' at `[DONE]`, a failure for a bad or error chunk, else null. */
  event(data: string): 'done' | RouteFailure | null {
    if (data === '[DONE]') return 'done';
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return brokenStream('upstream sent a chunk that is not JSON', this.produced);
    }
    if (!isObject(chunk)) return null;
    const choices = chunk.choices;
    if (!Array.isArray(choices)) {
      if (chunk.error === undefined) return null;
      const said = providerError(chunk, this.key).message ?? 'unknown error';
      return brokenStream(`upstream stream error: ${said}`, this.produced);
    }
    if (chunk.usage != null) this.usage = usageOf(chunk.usage) ?? this.usage;
    if (choices.length === 0) {
      if (chunk.usage != null) this.usageChunk = chunk;
      return null;
    }
    if (this.firstChunkAt === null) this.firstChunkAt = performance.now();
    let bearing = false;
    for (const choice of choices as unknown[]) {
      if (!isObject(choice)) continue;
      if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
      // A text completion's chunk carries `text` where a chat chunk has a delta.
      if (typeof choice.text === 'string' && choice.text.length > 0) {
        this.produced.text += choice.text;
        bearing = true;
      }
      const delta = choice.delta;
      if (!isObject(delta)) continue;
      const content = delta.content;
      if (typeof content === 'string' && content.length > 0) {
        this.produced.text += content;
        bearing = true;
      } else if (delta.tool_calls != null || (typeof delta.refusal === 'string' && delta.refusal)) {
        bearing = true;
      }
    }
    if (bearing) this.contentChunks++;
    this.produced.chunks++;
    try {
      this.sink.chunk(chunk);
    } catch {
      // A client going away; its abort signal ends the try.
    }
    return null;
  }

  /** A whole (non-streamed) answer's body: the parsed body, or a failure. */
  answer(text: string, status: number): Record<string, unknown> | RouteFailure {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return brokenStream('upstream answered with a body that is not JSON', this.produced, status);
    }
    if (!isObject(parsed)) {
      return brokenStream(
        'upstream answered with a body that is not an object',
        this.produced,
        status,
      );
    }
    this.usage = usageOf(parsed.usage);
    const choices = Array.isArray(parsed.choices) ? (parsed.choices as unknown[]) : [];
    const last = choices[choices.length - 1];
    if (isObject(last)) {
      if (typeof last.finish_reason === 'string') this.finishReason = last.finish_reason;
      const content = isObject(last.message) ? last.message.content : last.text;
      if (typeof content === 'string') this.contentChars = content.length;
    }
    return parsed;
  }

  /** The try's result; `body` for a non-streamed answer. */
  result(job: RouteJob, body?: Record<string, unknown>): UpstreamResult {
    const result: UpstreamResult = {
      finishReason: this.finishReason ?? 'stop',
      usage: this.usage ?? {
        promptTokens: estimatePromptTokens(job.body),
        completionTokens: body ? Math.ceil(this.contentChars / 4) : this.contentChunks,
      },
    };
    if (body) result.body = body;
    if (this.usageChunk) result.usageChunk = this.usageChunk;
    if (this.usage === null) result.estimated = true;
    return result;
  }
}
