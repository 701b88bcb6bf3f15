/**
 * Embeddings for one loaded model, through a node-llama-cpp embedding context of its own
 * (created on first use, so that a model that only chats never pays for it). Vectors are
 * L2-normalized, as OpenAI's and llama-server's are, so that a dot product is the cosine.
 */
import type { LlamaEmbeddingContext, LlamaModel, Token } from 'node-llama-cpp';
import type { EmbeddingInput } from '../../../common/openaiEmbeddings.js';
import { ApiError } from '../../../common/openaiErrors.js';

export interface EmbedderOptions {
  /** Tokens one input may hold (the embedding context's size). */
  contextSize: number;
  threads: number;
}

/** Inputs checked against the context, ready to embed. */
export interface PreparedEmbeddings {
  inputs: (string | Token[])[];
  /** The tokens that will be evaluated, begin/end tokens included. */
  promptTokens: number;
}

/** How many token ids the model knows, from its GGUF metadata. */
export function vocabularySize(model: LlamaModel): number | undefined {
  return model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length;
}

/**
 * Throws a 400 naming `param` when a token-id prompt holds an id the model does not have:
 * llama.cpp aborts the whole process on one.
 */
export function assertKnownTokens(model: LlamaModel, tokens: readonly number[], param: string) {
  const size = vocabularySize(model);
  if (size === undefined) return;
  const bad = tokens.find((token) => token >= size);
  if (bad !== undefined) {
    throw ApiError.invalidRequest(
      `Token id ${bad} is out of range: this model's vocabulary has ${size} tokens`,
      param,
    );
  }
}

export class Embedder {
  private context: Promise<LlamaEmbeddingContext> | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(
    private readonly model: LlamaModel,
    private readonly options: EmbedderOptions,
  ) {}

  /** The vector length. */
  get size(): number {
    return this.model.embeddingVectorSize;
  }

  /**
   * Checks every input against the embedding context (creating it on first use), so that a
   * request that cannot be served fails with a 400 before any work.
   */
  async prepare(inputs: readonly EmbeddingInput[]): Promise<PreparedEmbeddings> {
    const context = await this.contextOnce();
    const resolved = inputs.map((input, index) => this.tokens(context, input, index));
    return {
      inputs: resolved.map((entry) => entry.input),
      promptTokens: resolved.reduce((sum, entry) => sum + entry.lengthWithEnds, 0),
    };
  }

  /** Embeds each prepared input in order; `signal` is honoured between inputs. */
  embed(prepared: PreparedEmbeddings, signal?: AbortSignal): Promise<Float32Array[]> {
    if (this.disposed) return Promise.reject(ApiError.overloaded('The model was unloaded'));
    const run = this.run(prepared, signal);
    this.inFlight.add(run);
    const forget = () => this.inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }

  private async run(prepared: PreparedEmbeddings, signal?: AbortSignal): Promise<Float32Array[]> {
    const context = await this.contextOnce();
    const vectors: Float32Array[] = [];
    for (const input of prepared.inputs) {
      signal?.throwIfAborted();
      if (this.disposed) throw ApiError.overloaded('The model was unloaded');
      const embedding = await context.getEmbeddingFor(input);
      vectors.push(normalized(embedding.vector));
    }
    return vectors;
  }

  /** The input as the context will take it, with its evaluated length, or a 400. */
  private tokens(context: LlamaEmbeddingContext, input: EmbeddingInput, index: number) {
    const param = 'input';
    if (typeof input !== 'string') assertKnownTokens(this.model, input, param);
    const tokens: string | Token[] = typeof input === 'string' ? input : (input as Token[]);
    const lengthWithEnds = context.calculateInputLength(tokens);
    // node-llama-cpp needs one spare position beyond the input.
    if (lengthWithEnds >= this.options.contextSize) {
      throw ApiError.invalidRequest(
        `Input ${index} holds ${lengthWithEnds} tokens, but this model embeds at most ${this.options.contextSize - 1} per input`,
        param,
        'context_length_exceeded',
      );
    }
    return { input: tokens, lengthWithEnds };
  }

  private contextOnce(): Promise<LlamaEmbeddingContext> {
    this.context ??= this.model
      .createEmbeddingContext({
        contextSize: this.options.contextSize,
        // The whole input in one batch, which models without causal attention need.
        batchSize: this.options.contextSize,
        threads: this.options.threads,
      })
      .catch((error: unknown) => {
        this.context = undefined;
        throw error;
      });
    return this.context;
  }

  /** Waits for running calls (they stop at their next input), then frees the context. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled(this.inFlight);
    const context = await this.context?.catch(() => undefined);
    await context?.dispose();
  }
}

function normalized(vector: readonly number[]): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 1;
  const result = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) result[i] = vector[i]! * scale;
  return result;
}
