/**
 * The cost of embedding through byoi-node's `POST /v1/embeddings` (real HTTP, the real built
 * node process), against direct node-llama-cpp `createEmbeddingContext().getEmbeddingFor()`
 * on the same model and inputs, measured in one run with 1 thread:
 *   - inputs/s ratio (endpoint ÷ direct) for batches of 32 inputs, target ≥ 0.9
 * The endpoint is asked for base64, as the `openai` client asks by default; the float
 * encoding is reported too. Rounds alternate between the two paths so that drift on a noisy
 * machine hits both alike. The model is the generated "small" one (about 60 MB), where the
 * model's work dominates as in real models.
 * Usage: npm run bench:embeddings -- [--rounds N] [--batch N] [--model tiny|small]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, type LlamaEmbeddingContext } from 'node-llama-cpp';
import { SMALL_SHAPE, TINY_SHAPE, writeTinyModel } from '../demo/tinyModel.js';
import { startNode } from '../tests/support/nodeProcess.js';
import { median } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    batch: { type: 'string', default: '32' },
    model: { type: 'string', default: 'small' },
  },
});
const rounds = Number(values.rounds);
const batch = Number(values.batch);
const shape = values.model === 'tiny' ? TINY_SHAPE : SMALL_SHAPE;
/** Tokens per input at most; the node's context per slot, and the direct context's size. */
const contextSize = 512;

const WORDS =
  'the water people day one word time about we can out other were all there when up use'.split(' ');
/** Deterministic sentences of 12 to 40 words. */
const inputs = Array.from({ length: batch }, (_, i) =>
  Array.from({ length: 12 + ((i * 7) % 29) }, (_, j) => WORDS[(i * 5 + j * 3) % WORDS.length]).join(
    ' ',
  ),
);

async function direct(context: LlamaEmbeddingContext): Promise<number> {
  const started = performance.now();
  for (const input of inputs) await context.getEmbeddingFor(input);
  return performance.now() - started;
}

async function viaEndpoint(baseURL: string, encoding: 'float' | 'base64'): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseURL}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', input: inputs, encoding_format: encoding }),
  });
  const body = (await response.json()) as { data?: unknown[] };
  if (!response.ok || body.data?.length !== inputs.length) {
    throw new Error(`endpoint failed: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
  return performance.now() - started;
}

const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-'));
try {
  const modelPath = writeTinyModel(join(dir, 'bench.gguf'), shape);
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createEmbeddingContext({ contextSize, threads: 1 });
  const node = await startNode([
    '--model',
    modelPath,
    '--ctx-size',
    String(contextSize),
    // Info, so that a node that goes away says why (one line per request costs nothing).
    '--log-level',
    'info',
  ]);
  const baseURL = node.ready.openaiBaseURL;
  try {
    await direct(context);
    await viaEndpoint(baseURL, 'base64'); // warm-up both paths (the node creates its context)
    const samples = { direct: [] as number[], base64: [] as number[], float: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      samples.direct.push(await direct(context));
      samples.base64.push(await viaEndpoint(baseURL, 'base64'));
      samples.float.push(await viaEndpoint(baseURL, 'float'));
    }
    const perSecond = (ms: number[]) => (inputs.length * 1000) / median(ms);
    const figures = {
      model: values.model,
      batch,
      rounds,
      directInputsPerSecond: +perSecond(samples.direct).toFixed(1),
      endpointInputsPerSecond: +perSecond(samples.base64).toFixed(1),
      endpointFloatInputsPerSecond: +perSecond(samples.float).toFixed(1),
      inputsPerSecondRatio: +(perSecond(samples.base64) / perSecond(samples.direct)).toFixed(3),
      floatRatio: +(perSecond(samples.float) / perSecond(samples.direct)).toFixed(3),
    };
    console.log(
      `${rounds} rounds, batches of ${batch} inputs, threads 1, F32 generated model "${values.model}"`,
    );
    console.log(JSON.stringify(figures));
    const mark = figures.inputsPerSecondRatio >= 0.9 ? 'PASS' : 'MISS';
    console.log(
      `  inputs/s ratio (endpoint ÷ direct) ${figures.inputsPerSecondRatio} (≥ 0.9 ${mark}); float encoding ${figures.floatRatio}`,
    );
  } catch (error) {
    // Say why the node went away, if it did: its exit and its last log lines.
    const { exitCode, signalCode } = node.child;
    console.error('node exit', { exitCode, signalCode }, node.logs.slice(-5));
    throw error;
  } finally {
    await node.stop();
    await context.dispose();
    await model.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
