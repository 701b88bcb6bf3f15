/**
 * Writes a tiny llama-architecture GGUF model (about 0.5 MB, F32, random weights) so tests
 * and benchmarks run real node-llama-cpp inference without downloading anything.
 * The recipe is this file; nothing here is committed as a model file.
 * `byoi-node models write-test-model` writes it for trying a node without a download.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHATML_TEMPLATE, TOOLS_TEMPLATE } from './chatTemplates.js';
import { GGUF_F32, GGUF_I32, GGUF_STRING, GgufWriter } from './ggufWriter.js';

/** The model's dimensions. The default is the tiny test model; benchmarks also use a larger one. */
export interface ModelShape {
  embed: number;
  layers: number;
  heads: number;
  ffn: number;
}

export const TINY_SHAPE: ModelShape = { embed: 64, layers: 2, heads: 4, ffn: 128 };
/** About 60 MB: big enough that matrix work, not per-token overhead, dominates a decode step. */
export const SMALL_SHAPE: ModelShape = { embed: 512, layers: 6, heads: 8, ffn: 1536 };

/**
 * The chat template: `chatml` (the default), or `tools`, a Qwen2.5-style template whose
 * tool-calling syntax node-llama-cpp reads from it.
 */
export type TinyTemplate = 'chatml' | 'tools';

const CONTEXT = 2048;
const ALIGNMENT = 32;

const TOKEN_NORMAL = 1;
const TOKEN_UNKNOWN = 2;
const TOKEN_CONTROL = 3;
const TOKEN_BYTE = 6;

const WORDS = (
  'the a an and of to in is it you that he was for on are with as I his they be at one ' +
  'have this from or had by word but what some we can out other were all there when up use ' +
  'your how said each she which do their time if will way about many then them write would ' +
  'like so these her long make thing see him two has look more day could go come did ' +
  'number sound no most people my over know water than call first hello world node model ' +
  'token user assistant system red blue green'
).split(' ');
const SYMBOLS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789{}[]":,.!?-_ '];

interface Vocab {
  tokens: string[];
  scores: number[];
  types: number[];
}

function buildVocab(): Vocab {
  const vocab: Vocab = { tokens: [], scores: [], types: [] };
  const add = (token: string, score: number, type: number) => {
    vocab.tokens.push(token);
    vocab.scores.push(score);
    vocab.types.push(type);
  };
  add('<unk>', 0, TOKEN_UNKNOWN);
  add('<s>', 0, TOKEN_CONTROL);
  add('</s>', 0, TOKEN_CONTROL);
  for (let byte = 0; byte < 256; byte++) {
    add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, 0, TOKEN_BYTE);
  }
  add('<|im_start|>', 0, TOKEN_CONTROL);
  add('<|im_end|>', 0, TOKEN_CONTROL);
  add('\u2581', -1, TOKEN_NORMAL);
  for (const symbol of SYMBOLS) if (symbol !== ' ') add(symbol, -2, TOKEN_NORMAL);
  for (const [index, word] of WORDS.entries()) {
    add(`\u2581${word}`, -3 - index / 1000 + word.length, TOKEN_NORMAL);
  }
  return vocab;
}

/** Deterministic PRNG (mulberry32) so every run writes the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

function buildTensors(
  vocab: Vocab,
  { embed: EMBED, layers: LAYERS, ffn: FFN }: ModelShape,
): Tensor[] {
  const next = random(1234);
  const randomTensor = (name: string, dims: number[], scale: number): Tensor => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * scale;
    return { name, dims, data };
  };
  const ones = (name: string): Tensor => ({
    name,
    dims: [EMBED],
    data: new Float32Array(EMBED).fill(1),
  });
  const scale = 1.6 / Math.sqrt(EMBED);
  const nVocab = vocab.tokens.length;
  const embedding = randomTensor('token_embd.weight', [EMBED, nVocab], 0.5);
  const output = randomTensor('output.weight', [EMBED, nVocab], 0.5);
  // Random weights would often end generation early on end/control tokens, and TokenBias
  // cannot ban those, so push them down in the weights themselves.
  for (let token = 0; token < nVocab; token++) {
    embedding.data[token * EMBED] = 8;
    output.data[token * EMBED] = vocab.types[token] === TOKEN_NORMAL ? 0 : -6;
  }
  const tensors = [embedding, ones('output_norm.weight'), output];
  for (let layer = 0; layer < LAYERS; layer++) {
    const prefix = `blk.${layer}`;
    tensors.push(
      ones(`${prefix}.attn_norm.weight`),
      randomTensor(`${prefix}.attn_q.weight`, [EMBED, EMBED], scale),
      randomTensor(`${prefix}.attn_k.weight`, [EMBED, EMBED], scale),
      randomTensor(`${prefix}.attn_v.weight`, [EMBED, EMBED], scale),
      randomTensor(`${prefix}.attn_output.weight`, [EMBED, EMBED], scale),
      ones(`${prefix}.ffn_norm.weight`),
      randomTensor(`${prefix}.ffn_gate.weight`, [EMBED, FFN], scale),
      randomTensor(`${prefix}.ffn_up.weight`, [EMBED, FFN], scale),
      randomTensor(`${prefix}.ffn_down.weight`, [FFN, EMBED], scale),
    );
  }
  return tensors;
}

/** Returns the bytes of a model of the given shape (the tiny one by default). Deterministic. */
export function tinyModelBytes(
  shape: ModelShape = TINY_SHAPE,
  template: TinyTemplate = 'chatml',
): Buffer {
  const vocab = buildVocab();
  const tensors = buildTensors(vocab, shape);
  const w = new GgufWriter();
  w.raw(Buffer.from('GGUF', 'latin1'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(20);
  w.kvString('general.architecture', 'llama');
  w.kvString('general.name', 'byoi-tiny');
  w.kvU32('general.alignment', ALIGNMENT);
  w.kvU32('general.file_type', 0);
  w.kvU32('llama.context_length', CONTEXT);
  w.kvU32('llama.embedding_length', shape.embed);
  w.kvU32('llama.block_count', shape.layers);
  w.kvU32('llama.feed_forward_length', shape.ffn);
  w.kvU32('llama.attention.head_count', shape.heads);
  w.kvU32('llama.attention.head_count_kv', shape.heads);
  w.kvU32('llama.rope.dimension_count', shape.embed / shape.heads);
  w.kvF32('llama.attention.layer_norm_rms_epsilon', 1e-5);
  w.kvString('tokenizer.ggml.model', 'llama');
  w.kvArray('tokenizer.ggml.tokens', GGUF_STRING, vocab.tokens, (t) => w.string(t));
  w.kvArray('tokenizer.ggml.scores', GGUF_F32, vocab.scores, (s) => w.f32(s));
  w.kvArray('tokenizer.ggml.token_type', GGUF_I32, vocab.types, (t) => w.i32(t));
  w.kvU32('tokenizer.ggml.bos_token_id', 1);
  w.kvU32('tokenizer.ggml.eos_token_id', 2);
  w.kvU32('tokenizer.ggml.unknown_token_id', 0);
  w.kvString('tokenizer.chat_template', template === 'tools' ? TOOLS_TEMPLATE : CHATML_TEMPLATE);

  let offset = 0;
  for (const tensor of tensors) {
    w.string(tensor.name);
    w.u32(tensor.dims.length);
    for (const dim of tensor.dims) w.u64(dim);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil(tensor.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  w.padTo(ALIGNMENT);
  for (const tensor of tensors) {
    w.raw(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    w.padTo(ALIGNMENT);
  }
  return w.toBuffer();
}

/** Writes the model to `path` (if it is not there yet) and returns the path. */
export function writeTinyModel(
  path: string,
  shape: ModelShape = TINY_SHAPE,
  template: TinyTemplate = 'chatml',
): string {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, tinyModelBytes(shape, template));
  }
  return path;
}
