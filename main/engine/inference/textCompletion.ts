/**
 * A legacy text completion (`/v1/completions`) on one inference slot: the raw prompt is
 * continued on the lean path (tokenLoop.ts), no chat template, streamed through a callback. Prompts are tokenized as llama-server does (special tokens parsed, the model's
 * begin token in front), so a client may send its own template.
 */
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import {
  completionMaxTokens,
  completionPrompt,
  completionStops,
  type CompletionRequest,
} from '../../../common/openaiCompletions.js';
import type { FinishReason } from '../../../common/openai.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { assertKnownTokens } from './embedder.js';
import { baseSamplingOptions } from './chatRequest.js';
import type { StepBarrier } from './stepBarrier.js';
import { generateTokens } from './tokenLoop.js';

export interface TextCompletionJob {
  model: LlamaModel;
  sequence: LlamaContextSequence;
  barrier?: StepBarrier;
  /** Tokens the slot may hold: prompt plus completion. */
  contextPerSlot: number;
  request: CompletionRequest;
  /** Text already generated (by a node that died) to continue after the prompt. */
  continuation?: string;
  onText?: (text: string) => void;
  signal: AbortSignal;
  /** `performance.now()` when the request arrived, for the time to first token. */
  started: number;
}

/** What a completion produced; the same shape as the chat `GenerationResult`. */
export interface TextCompletionResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number | null;
  durationMs: number;
}

/** The prompt's tokens without the begin token, followed by any continued text. */
export function promptTokensOf(
  model: LlamaModel,
  request: CompletionRequest,
  continuation = '',
): Token[] {
  const prompt = completionPrompt(request);
  let tokens: Token[];
  if (typeof prompt === 'string') tokens = model.tokenize(prompt, true);
  else {
    assertKnownTokens(model, prompt, 'prompt');
    tokens = prompt as Token[];
  }
  const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  if (bos !== null && tokens[0] === bos) tokens = tokens.slice(1);
  if (continuation)
    tokens = [...tokens, ...model.tokenize(continuation, false, 'trimLeadingSpace')];
  return tokens;
}

/** Generates the completion; rejects with a 400 when prompt plus `max_tokens` overflow the slot. */
export async function generateTextCompletion(
  job: TextCompletionJob,
): Promise<TextCompletionResult> {
  const { model, sequence, request, signal, started } = job;
  const input = promptTokensOf(model, request, job.continuation);
  const beginTokens = model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? 1 : 0;
  const promptTokens = beginTokens + input.length;
  if (promptTokens === 0) throw ApiError.invalidRequest('prompt must not be empty', 'prompt');
  const maxTokens = completionMaxTokens(request);
  if (promptTokens + maxTokens > job.contextPerSlot) {
    throw ApiError.invalidRequest(
      `This model's context holds ${job.contextPerSlot} tokens per request, but ${promptTokens} are in the prompt and ${maxTokens} were requested for the completion`,
      'prompt',
      'context_length_exceeded',
    );
  }
  const bos = beginTokens === 1 ? [model.tokens.bos!] : [];
  const meterBefore = sequence.tokenMeter.getState();
  let text = '';
  let timeToFirstTokenMs: number | null = null;
  const end = await generateTokens({
    model,
    sequence,
    prompt: [...bos, ...input],
    maxTokens,
    sampling: baseSamplingOptions(request),
    stops: completionStops(request),
    stopTokens: new Set(),
    // The first piece continues the prompt, so it keeps its leading space.
    leadTokens: input,
    barrier: job.barrier,
    signal,
    onText: (piece) => {
      timeToFirstTokenMs ??= performance.now() - started;
      text += piece;
      job.onText?.(piece);
    },
  });
  if (signal.aborted) throw signal.reason;
  return {
    text,
    finishReason: end,
    promptTokens,
    completionTokens: sequence.tokenMeter.diff(meterBefore).usedOutputTokens,
    timeToFirstTokenMs,
    durationMs: performance.now() - started,
  };
}
