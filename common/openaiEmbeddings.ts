/**
 * OpenAI embeddings shapes (`POST /v1/embeddings`) shared by the node's local endpoint and
 * the gateway: the request schema, the response types, and the base64 encoding of vectors
 * (little-endian float32, as OpenAI sends it and as the `openai` client decodes it).
 */
import { z } from 'zod';

/** OpenAI's limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

const tokenId = z.number().int().min(0);

const embeddingInput = z.union(
  [z.string(), z.array(z.string()), z.array(tokenId), z.array(z.array(tokenId))],
  {
    error:
      'input must be a string, an array of strings, an array of token ids, or an array of token-id arrays',
  },
);

/**
 * `POST /v1/embeddings` body. Unknown fields are accepted and ignored, like the chat schema.
 * Empty input (an empty string, array, or token array anywhere) is refused, as OpenAI does.
 */
export const embeddingsRequestSchema = z
  .object({
    model: z.string().min(1),
    input: embeddingInput,
    encoding_format: z.enum(['float', 'base64']).nullish(),
    dimensions: z.number().int().positive().nullish(),
    user: z.string().nullish(),
  })
  .check((ctx) => {
    const { input } = ctx.value;
    const issue = (message: string): void => {
      ctx.issues.push({ code: 'custom', input, path: ['input'], message });
    };
    if (input.length === 0) return issue('input must not be empty');
    if (typeof input === 'string') return;
    if (input.length > MAX_EMBEDDING_INPUTS) {
      return issue(`at most ${MAX_EMBEDDING_INPUTS} inputs are allowed per request`);
    }
    const empty = (input as readonly (string | number | number[])[]).findIndex(
      (item) => typeof item !== 'number' && item.length === 0,
    );
    if (empty >= 0) issue(`input[${empty}] must not be empty`);
  });

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** One text to embed: a string, or token ids used as they are. */
export type EmbeddingInput = string | number[];

/** The request's inputs as a list: one string, one token array, or one entry per item. */
export function embeddingInputs(input: EmbeddingsRequest['input']): EmbeddingInput[] {
  if (typeof input === 'string') return [input];
  if (input.every((item) => typeof item === 'number')) return [input as number[]];
  return input as (string | number[])[];
}

export interface Embedding {
  object: 'embedding';
  index: number;
  /** Floats, or base64 of little-endian float32 when `encoding_format` is `base64`. */
  embedding: number[] | string;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** Builds the response body, encoding each vector as the request asked. */
export function embeddingsResponse(
  model: string,
  vectors: readonly Float32Array[],
  promptTokens: number,
  encoding: 'float' | 'base64' = 'float',
): EmbeddingsResponse {
  return {
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? float32ToBase64(vector) : Array.from(vector),
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/** Bytes per `String.fromCharCode` call, well under engines' argument limits. */
const CHUNK = 0x8000;

/** Base64 of the vector as little-endian float32 (OpenAI's `encoding_format: 'base64'`). */
export function float32ToBase64(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/** The vector in a base64 embedding; throws when the length is not a whole number of floats. */
export function base64ToFloat32(base64: string): Float32Array {
  const binary = atob(base64);
  if (binary.length % 4 !== 0) {
    throw new RangeError('A base64 float32 vector must be a multiple of 4 bytes long');
  }
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const vector = new Float32Array(binary.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(i * 4, true);
  return vector;
}
