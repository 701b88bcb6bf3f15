/**
 * A legacy text completion (`/v1/completions`) on one inference slot: the raw prompt is
 * continued with node-llama-cpp's `LlamaCompletion`, no chat template, streamed through a
 * callback. Prompts are tokenized as llama-server does (special tokens parsed, the model's
 * begin token in front), so a client may send its own template.
 */
import {
  LlamaCompletion,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import {
  completionMaxTokens,
  completionPrompt,
  completionStops,
  type CompletionRequest,
} from '../../../common/openaiCompletions.js';
import type { FinishReason } from '../../../common/openai.js';
import { ApiError } from '../../../common/openaiErrors.js';
import { assertKnownTokens } from './embedder.js';
import { StopSequences } from './stopSequences.js';
import { baseSamplingOptions } from './chatRequest.js';

export interface TextCompletionJob {
  model: LlamaModel;
  sequence: LlamaContextSequence;
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

/** Prompt tokens whose text gives the first generated piece its leading space. */
const CONTEXT_TOKENS = 16;

/**
 * The prompt's tokens without the begin token, which `LlamaCompletion` puts in front itself,
 * followed by any continued text.
 */
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
  const completion = new LlamaCompletion({ contextSequence: sequence });
  const firstPiece = new FirstPiece(model, input.slice(-CONTEXT_TOKENS));
  const stops = new StopSequences(completionStops(request));
  const stopped = new AbortController();
  const meterBefore = sequence.tokenMeter.getState();
  let text = '';
  let timeToFirstTokenMs: number | null = null;
  const send = (piece: string) => {
    if (piece === '') return;
    timeToFirstTokenMs ??= performance.now() - started;
    text += piece;
    job.onText?.(piece);
  };
  try {
    const result = await completion.generateCompletionWithMeta(input, {
      // Stop sequences are matched here, not by the library (see stopSequences.ts).
      ...baseSamplingOptions(request),
      maxTokens,
      signal: AbortSignal.any([signal, stopped.signal]),
      stopOnAbortSignal: true,
      // The budget was checked above: never drop prompt tokens to make room.
      disableContextShift: true,
      contextShiftSize: 0,
      onToken: firstPiece.onToken,
      onTextChunk: (chunk) => {
        send(stops.push(firstPiece.text(chunk)));
        if (stops.stopped) stopped.abort();
      },
    });
    if (signal.aborted) throw signal.reason;
    send(stops.flush());
    const length = !stops.stopped && result.metadata.stopReason === 'maxTokens';
    return {
      text,
      finishReason: length ? 'length' : 'stop',
      promptTokens,
      completionTokens: sequence.tokenMeter.diff(meterBefore).usedOutputTokens,
      timeToFirstTokenMs,
      durationMs: performance.now() - started,
    };
  } finally {
    completion.dispose();
  }
}

/**
 * node-llama-cpp detokenizes the first generated tokens with nothing before them, so an SPM
 * tokenizer drops their leading space ("upon" where " upon" continues "Once"). This
 * detokenizes the first piece again after the prompt's last tokens, as every later piece is.
 */
class FirstPiece {
  private tokens: readonly Token[] | undefined;
  private done = false;

  constructor(
    private readonly model: LlamaModel,
    private readonly context: readonly Token[],
  ) {}

  readonly onToken = (tokens: Token[]): void => {
    if (!this.done) this.tokens = tokens;
  };

  text(chunk: string): string {
    if (this.done) return chunk;
    this.done = true;
    if (!this.tokens || this.context.length === 0) return chunk;
    const again = this.model.detokenize(this.tokens, false, this.context);
    // Only ever put back what was cut from the front.
    return again.length > chunk.length && again.endsWith(chunk) ? again : chunk;
  }
}
