/**
 * One served model: a node-llama-cpp model and context whose sequences are the inference
 * slots. It loads on first use, and unloads on demand so that VRAM is freed.
 */
import { basename } from 'node:path';
import {
  LlamaChat,
  resolveChatWrapper,
  type ChatWrapper,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import {
  requestedMaxTokens,
  type ChatCompletionRequest,
  type FinishReason,
} from '../../../common/openai.js';
import { ApiError } from '../../../common/openaiErrors.js';
import type { Logger } from '../../../common/log.js';
import type { RequestRecord } from '../stats/requestStats.js';
import type { ToolCallDelta } from '../../../common/chatDelta.js';
import type { ToolCall } from '../../../common/openaiTools.js';
import { chatPrompt, generateChat, type ChatRun } from './chatGeneration.js';
import { StepBarrier } from './stepBarrier.js';
import { GrammarCache } from './chatRequest.js';
import { checkToolSchemas } from './toolCalling.js';
import { assertGgufHeader } from './ggufHeader.js';
import { loadLlama } from './llama.js';
import { SlotPool } from './slotPool.js';
import type { EmbeddingInput } from '../../../common/openaiEmbeddings.js';
import type { CompletionRequest } from '../../../common/openaiCompletions.js';
import { Embedder } from './embedder.js';
import { generateTextCompletion } from './textCompletion.js';

export interface ModelHostOptions {
  /** The GGUF file. */
  path: string;
  /** The id clients ask for; defaults to the file name without `.gguf`. */
  id?: string;
  /** CPU threads for generation. */
  threads: number;
  /** Parallel inference slots (context sequences). */
  slots: number;
  /** Requests that may wait for a slot before new ones get a 503. */
  maxQueued: number;
  /** Tokens each slot can hold (prompt plus completion); defaults to the model's training context, at most 4096. */
  contextPerSlot?: number;
  gpu?: 'auto' | false;
  logger: Logger;
  /** Called once per generation that got past validation, whatever its outcome. */
  onFinished?(record: RequestRecord): void;
}

/**
 * What one generation produced. When it continued a reply (`continuation`), `text` and
 * `completionTokens` count only the new part, and `promptTokens` includes the continued
 * text, since the node had to process it as input.
 */
export interface GenerationResult {
  /** The generated text (without any continued prefix). */
  text: string;
  /** The tools called, arguments whole. */
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  promptTokens: number;
  /** Tokens generated here (without any continued prefix). */
  completionTokens: number;
  /** ms from the call to the first text chunk (null when no text was produced) */
  timeToFirstTokenMs: number | null;
  durationMs: number;
}

export interface GenerationCallbacks {
  /** Called with each piece of text as it is generated. */
  onText?: (text: string) => void;
  /** Called with each tool-call fragment, in OpenAI's streaming shape. */
  onToolCalls?: (deltas: ToolCallDelta[]) => void;
  /** Aborting stops generation promptly; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Who asked: a network job or the local endpoint (default). */
  source?: 'network' | 'local';
  /** False keeps this generation out of the served-request stats (a benchmark). */
  counted?: boolean;
  /**
   * The assistant reply's text so far (already sent to the client by a node that died):
   * generation continues it instead of starting a new reply. Empty means none.
   */
  continuation?: string;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  pool: SlotPool<LlamaContextSequence>;
  grammars: GrammarCache;
  /** Steps the context's generating sequences together, one decode for all their tokens. */
  barrier: StepBarrier;
  /** Resolved once: detecting it from the model's template costs more than a short answer. */
  chatWrapper: ChatWrapper;
  contextPerSlot: number;
}

/** The id a model file is served under: its name without `.gguf`. */
export function modelIdOf(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

export class ModelHost {
  readonly id: string;
  private loaded: Promise<Loaded> | undefined;
  /** The settled value of `loaded`, for synchronous reads. */
  private loadedState: Loaded | undefined;
  private readonly running = new Set<AbortController>();
  private lastContextPerSlot: number | undefined;

  constructor(private readonly options: ModelHostOptions) {
    this.id = options.id ?? modelIdOf(options.path);
  }

  /** Slots free right now (all of them while unloaded, since loading creates them). */
  get freeSlots(): number {
    const pool = this.loadedState?.pool;
    return pool ? pool.size - pool.busy : this.options.slots;
  }

  /** Tokens one request may hold, known once the model has loaded (and kept after unload). */
  get contextPerSlot(): number | undefined {
    return this.loadedState?.contextPerSlot ?? this.lastContextPerSlot;
  }

  /** Inference slots (parallel generations). */
  get slots(): number {
    return this.options.slots;
  }

  /** Generations running or waiting for a slot. */
  get activeGenerations(): number {
    return this.running.size;
  }

  /** Whether the model is in memory and its slots are ready (not while loading). */
  get isReady(): boolean {
    return this.loadedState !== undefined;
  }

  /** Whether the model is in memory (or loading). */
  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  /** Loads the model and creates the slots, once. */
  load(): Promise<Loaded> {
    if (this.loaded) return this.loaded;
    const loading: Promise<Loaded> = this.createLoaded().then(
      (loaded) => {
        if (this.loaded === loading) this.loadedState = loaded;
        this.lastContextPerSlot = loaded.contextPerSlot;
        return loaded;
      },
      (error: unknown) => {
        if (this.loaded === loading) this.loaded = undefined;
        throw error;
      },
    );
    this.loaded = loading;
    return loading;
  }

  private async createLoaded(): Promise<Loaded> {
    const { logger, slots, threads } = this.options;
    const started = performance.now();
    await assertGgufHeader(this.options.path);
    const llama = await loadLlama(logger, this.options.gpu);
    const model = await llama.loadModel({ modelPath: this.options.path });
    try {
      const contextPerSlot = this.options.contextPerSlot ?? Math.min(model.trainContextSize, 4096);
      const context = await model.createContext({
        contextSize: contextPerSlot * slots,
        sequences: slots,
        threads,
      });
      const sequences = Array.from({ length: slots }, () => context.getSequence());
      logger.info('model loaded', {
        model: this.id,
        backend: llama.gpu || 'cpu',
        slots,
        threads,
        contextPerSlot,
        ms: Math.round(performance.now() - started),
      });
      return {
        model,
        context,
        pool: new SlotPool(sequences, this.options.maxQueued),
        grammars: new GrammarCache(llama),
        barrier: new StepBarrier(),
        chatWrapper: resolveChatWrapper(model),
        contextPerSlot,
      };
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** Stops running jobs, fails queued ones, and frees the model's memory. Safe to call twice. */
  async unload(): Promise<void> {
    const loading = this.loaded;
    if (!loading) return;
    this.loaded = undefined;
    this.loadedState = undefined;
    const loaded = await loading.catch(() => undefined);
    if (!loaded) return;
    loaded.pool.rejectQueued(ApiError.overloaded(`Model '${this.id}' was unloaded`));
    for (const job of this.running)
      job.abort(ApiError.overloaded(`Model '${this.id}' was unloaded`));
    await loaded.pool.whenIdle();
    await this.embedders.get(loaded)?.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
    this.options.logger.info('model unloaded', { model: this.id });
  }

  /** Generates the assistant's reply to a chat request. */
  generate(
    request: ChatCompletionRequest,
    callbacks: GenerationCallbacks = {},
  ): Promise<GenerationResult> {
    return this.tracked(callbacks, async (loaded, signal, started, accept) => {
      const grammar = await loaded.grammars.forRequest(request);
      await checkToolSchemas(request, loaded.grammars);
      const lease = await loaded.pool.acquire(signal);
      accept();
      try {
        return await this.generateOn(
          loaded,
          lease.slot,
          request,
          grammar,
          callbacks,
          signal,
          started,
        );
      } finally {
        lease.release();
      }
    });
  }

  private report(record: RequestRecord): void {
    try {
      this.options.onFinished?.(record);
    } catch (error) {
      this.options.logger.error('generation listener failed', { error: String(error) });
    }
  }

  private async generateOn(
    loaded: Loaded,
    sequence: LlamaContextSequence,
    request: ChatCompletionRequest,
    grammar: Awaited<ReturnType<GrammarCache['forRequest']>>,
    {
      onText,
      onToolCalls,
      continuation,
    }: Pick<GenerationCallbacks, 'onText' | 'onToolCalls' | 'continuation'>,
    signal: AbortSignal,
    started: number,
  ): Promise<GenerationResult> {
    let chat: LlamaChat | undefined;
    try {
      const run: ChatRun = {
        chatWrapper: loaded.chatWrapper,
        chat: () =>
          (chat ??= new LlamaChat({
            contextSequence: sequence,
            chatWrapper: loaded.chatWrapper,
            autoDisposeSequence: false,
          })),
        model: loaded.model,
        sequence,
        barrier: loaded.barrier,
        grammars: loaded.grammars,
        request,
        grammar,
        continuation,
        signal,
        onText: (text) => {
          timeToFirstTokenMs ??= performance.now() - started;
          onText?.(text);
        },
        onToolCalls: (deltas) => {
          timeToFirstTokenMs ??= performance.now() - started;
          onToolCalls?.(deltas);
        },
      };
      let timeToFirstTokenMs: number | null = null;
      const prompt = chatPrompt(run);
      const promptTokens = prompt.tokens.length;
      const maxTokens = completionBudget(request, promptTokens, loaded.contextPerSlot);
      const meterBefore = sequence.tokenMeter.getState();
      const output = await generateChat(run, prompt, maxTokens);
      return {
        ...output,
        promptTokens,
        completionTokens: sequence.tokenMeter.diff(meterBefore).usedOutputTokens,
        timeToFirstTokenMs,
        durationMs: performance.now() - started,
      };
    } finally {
      chat?.dispose();
    }
  }

  // Embeddings and legacy text completions: tracked like `generate`, never chat.

  private readonly embedders = new WeakMap<Loaded, Embedder>();

  /** The embedding vector length, known once the model has loaded. */
  get embeddingSize(): number | undefined {
    return this.loadedState?.model.embeddingVectorSize;
  }

  /**
   * Embeds each input in order, as L2-normalized vectors. Rejects with a 400 when an input is
   * longer than the embedding context; aborting stops it between inputs.
   */
  async embed(
    inputs: EmbeddingInput[],
    options: { signal?: AbortSignal; source?: 'network' | 'local' } = {},
  ): Promise<{ vectors: Float32Array[]; promptTokens: number; durationMs: number }> {
    return this.tracked(options, async (loaded, signal, started, accept) => {
      const embedder = this.embedderFor(loaded);
      const prepared = await embedder.prepare(inputs);
      accept();
      const vectors = await embedder.embed(prepared, signal);
      return {
        vectors,
        promptTokens: prepared.promptTokens,
        durationMs: performance.now() - started,
      };
    });
  }

  /** Continues a raw prompt (`/v1/completions`) on one of the slots. */
  async complete(
    request: CompletionRequest,
    callbacks: GenerationCallbacks = {},
  ): Promise<GenerationResult> {
    return this.tracked(callbacks, async (loaded, signal, started, accept) => {
      const lease = await loaded.pool.acquire(signal);
      accept();
      try {
        const result = await generateTextCompletion({
          model: loaded.model,
          sequence: lease.slot,
          barrier: loaded.barrier,
          contextPerSlot: loaded.contextPerSlot,
          request,
          continuation: callbacks.continuation,
          onText: callbacks.onText,
          signal,
          started,
        });
        return { ...result, toolCalls: [] };
      } finally {
        lease.release();
      }
    });
  }

  private embedderFor(loaded: Loaded): Embedder {
    let embedder = this.embedders.get(loaded);
    if (!embedder) {
      embedder = new Embedder(loaded.model, {
        contextSize: loaded.contextPerSlot,
        threads: this.options.threads,
      });
      this.embedders.set(loaded, embedder);
    }
    return embedder;
  }

  /**
   * Runs one job (chat, completion, embeddings): active while it runs, stopped by `unload`,
   * and reported to the stats once `accept` was called (it got past validation).
   */
  private async tracked<
    T extends {
      promptTokens: number;
      completionTokens?: number;
      timeToFirstTokenMs?: number | null;
    },
  >(
    options: Pick<GenerationCallbacks, 'signal' | 'source' | 'counted'>,
    run: (loaded: Loaded, signal: AbortSignal, started: number, accept: () => void) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const job = new AbortController();
    const onCallerAbort = () => job.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (options.signal?.aborted) job.abort(options.signal.reason);
    this.running.add(job);
    const record: RequestRecord = {
      model: this.id,
      source: options.source ?? 'local',
      outcome: 'error',
      promptTokens: 0,
      completionTokens: 0,
      timeToFirstTokenMs: null,
      durationMs: 0,
    };
    let accepted = false;
    try {
      const loaded = await this.load();
      const result = await run(loaded, job.signal, started, () => (accepted = true));
      Object.assign(record, {
        outcome: 'done',
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens ?? 0,
        timeToFirstTokenMs: result.timeToFirstTokenMs ?? null,
      });
      return result;
    } catch (error) {
      if (job.signal.aborted) record.outcome = 'cancelled';
      throw error;
    } finally {
      if (accepted && options.counted !== false) {
        record.durationMs = performance.now() - started;
        this.report(record);
      }
      this.running.delete(job);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

/** How many tokens may be generated: what the client asked for, within what the slot can hold. */
function completionBudget(
  request: ChatCompletionRequest,
  promptTokens: number,
  contextPerSlot: number,
): number {
  const requested = requestedMaxTokens(request);
  const available = contextPerSlot - promptTokens;
  if (available < 1 || (requested !== undefined && requested > available)) {
    throw ApiError.invalidRequest(
      `This model's context holds ${contextPerSlot} tokens per request, but ${promptTokens} are in the messages` +
        (requested === undefined ? '' : ` and ${requested} were requested for the completion`),
      'messages',
      'context_length_exceeded',
    );
  }
  return requested ?? available;
}
