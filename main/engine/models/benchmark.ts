/**
 * A quick speed test of a served model: one short warm-up, then a greedy generation of a
 * fixed prompt, timed from the generation's own figures.
 */
import { chatCompletionRequestSchema } from '../../../common/openai.js';
import type { ModelHost } from '../inference/modelHost.js';

export interface BenchmarkOptions {
  /** Completion tokens to generate for the measurement (default 64). */
  tokens?: number;
  /** Tokens of the warm-up run, which loads the model and fills caches (default 8). */
  warmupTokens?: number;
}

export interface BenchmarkFigures {
  /** Completion tokens per second after the first token. */
  tokensPerSecond: number;
  timeToFirstTokenMs: number;
}

/** A prompt that invites a long answer, so generation runs to `max_tokens`. */
const PROMPT = 'Write a long story about a lighthouse keeper who finds a message in a bottle.';

function request(model: string, maxTokens: number) {
  return chatCompletionRequestSchema.parse({
    model,
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: maxTokens,
    temperature: 0,
  });
}

/**
 * Measures generation speed. Tokens/s counts the tokens after the first over the time after
 * the first, so prompt processing shows only in the time to first token. Throws when the
 * model stops too early to measure.
 */
export async function benchmarkModel(
  host: Pick<ModelHost, 'generate' | 'id'>,
  options: BenchmarkOptions = {},
): Promise<BenchmarkFigures> {
  const tokens = options.tokens ?? 64;
  await host.generate(request(host.id, options.warmupTokens ?? 8), { counted: false });
  const result = await host.generate(request(host.id, tokens), { counted: false });
  const ttft = result.timeToFirstTokenMs;
  if (ttft === null || result.completionTokens < 2) {
    throw new Error(
      `The benchmark of ${host.id} stopped after ${result.completionTokens} tokens; too few to measure`,
    );
  }
  const decodeMs = result.durationMs - ttft;
  const tokensPerSecond =
    decodeMs > 0
      ? ((result.completionTokens - 1) * 1000) / decodeMs
      : (result.completionTokens * 1000) / result.durationMs;
  return { tokensPerSecond, timeToFirstTokenMs: ttft };
}
