/**
 * The cost of serving through byoi-node's local endpoint, against direct node-llama-cpp
 * generation, measured in one run on the same model, prompt and seed with 1 thread:
 *   - tokens/s ratio (endpoint ÷ direct), target ≥ 0.97
 *   - time-to-first-token overhead at p50, target ≤ 3 ms
 *   - 4 parallel streams against 1 stream, total tokens/s, target ≥ 2×; the same ratio
 *     measured directly in node-llama-cpp shows what the hardware allows
 * It runs on two generated models: "tiny" (per-token overhead dominates, the worst case for
 * the endpoint) and "small" (about 80 MB, where matrix work dominates as in real models).
 * Usage: npm run bench -- [--models tiny,small] [--rounds N] [--tokens N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  getLlama,
  LlamaChat,
  resolveChatWrapper,
  type ChatHistoryItem,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import { SMALL_SHAPE, TINY_SHAPE, writeTinyModel, type ModelShape } from '../demo/tinyModel.js';
import { startNode } from '../tests/support/nodeProcess.js';
import { median, percentile, streamCompletion, type StreamTiming } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny,small' },
    rounds: { type: 'string', default: '10' },
    tokens: { type: 'string', default: '200' },
  },
});
const SHAPES: Record<string, ModelShape> = { tiny: TINY_SHAPE, small: SMALL_SHAPE };
const rounds = Number(values.rounds);
const maxTokens = Number(values.tokens);
const prompt = 'Tell me about the water, the people and the day.';
const seed = 42;

/** Direct generation on one sequence, timed like a stream. */
async function generateDirect(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  text: string,
): Promise<StreamTiming> {
  const chat = new LlamaChat({
    contextSequence: sequence,
    chatWrapper: resolveChatWrapper(model),
    autoDisposeSequence: false,
  });
  const history: ChatHistoryItem[] = [
    { type: 'user', text },
    { type: 'model', response: [] },
  ];
  const before = sequence.tokenMeter.getState();
  const started = performance.now();
  let firstTokenMs: number | null = null;
  await chat.generateResponse(history, {
    maxTokens,
    seed,
    temperature: 0,
    repeatPenalty: false,
    onTextChunk: () => (firstTokenMs ??= performance.now() - started),
  });
  const totalMs = performance.now() - started;
  chat.dispose();
  return {
    firstTokenMs: firstTokenMs ?? totalMs,
    totalMs,
    tokens: sequence.tokenMeter.diff(before).usedOutputTokens,
  };
}

/** Total tokens/s of `n` generations at once, over the median of a few rounds. */
async function throughput(
  n: number,
  run: (index: number) => Promise<StreamTiming>,
): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < Math.max(3, Math.round(rounds / 3)); round++) {
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: n }, (_, index) => run(index)));
    samples.push(
      (runs.reduce((sum, r) => sum + r.tokens, 0) / (performance.now() - started)) * 1000,
    );
  }
  return median(samples);
}

async function benchModel(name: string, modelPath: string) {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 2048, sequences: 4, threads: 1 });
  const sequences = [0, 1, 2, 3].map(() => context.getSequence());
  const node = await startNode([
    '--model',
    modelPath,
    '--parallel',
    '4',
    '--ctx-size',
    '1024',
    '--log-level',
    'warn',
  ]);
  const body = (content: string) => ({
    model: name,
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    seed,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  const viaEndpoint = (content = prompt) =>
    streamCompletion(node.ready.openaiBaseURL, body(content));
  try {
    await generateDirect(model, sequences[0]!, prompt);
    await viaEndpoint(); // warm-up both paths
    const directRuns: StreamTiming[] = [];
    const endpointRuns: StreamTiming[] = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved so that drift on a noisy machine hits both sides alike.
      directRuns.push(await generateDirect(model, sequences[0]!, prompt));
      endpointRuns.push(await viaEndpoint());
    }
    const tps = (runs: StreamTiming[]) => median(runs.map((r) => (r.tokens / r.totalMs) * 1000));
    const ttft = (runs: StreamTiming[]) =>
      percentile(
        runs.map((r) => r.firstTokenMs),
        50,
      );
    const directOne = await throughput(1, () => generateDirect(model, sequences[0]!, prompt));
    const directFour = await throughput(4, (i) =>
      generateDirect(model, sequences[i]!, `${prompt} ${i}`),
    );
    const endpointOne = await throughput(1, () => viaEndpoint());
    const endpointFour = await throughput(4, (i) => viaEndpoint(`${prompt} ${i}`));
    return {
      model: name,
      directTokensPerSecond: Math.round(tps(directRuns)),
      endpointTokensPerSecond: Math.round(tps(endpointRuns)),
      tokensPerSecondRatio: +(tps(endpointRuns) / tps(directRuns)).toFixed(3),
      ttftDirectP50Ms: +ttft(directRuns).toFixed(2),
      ttftEndpointP50Ms: +ttft(endpointRuns).toFixed(2),
      ttftOverheadP50Ms: +(ttft(endpointRuns) - ttft(directRuns)).toFixed(2),
      endpointParallelRatio: +(endpointFour / endpointOne).toFixed(2),
      directParallelRatio: +(directFour / directOne).toFixed(2),
    };
  } finally {
    await node.stop();
    await context.dispose();
    await model.dispose();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-'));
try {
  console.log(
    `rounds ${rounds}, ${maxTokens} tokens, greedy, seed ${seed}, threads 1, F32 generated models`,
  );
  for (const name of values.models.split(',')) {
    const shape = SHAPES[name];
    if (!shape) throw new Error(`unknown model '${name}' (tiny or small)`);
    const figures = await benchModel(name, writeTinyModel(join(dir, `${name}.gguf`), shape));
    console.log(JSON.stringify(figures));
    const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    console.log(
      `  ${name}: tokens/s ratio ${figures.tokensPerSecondRatio} (≥ 0.97 ${mark(figures.tokensPerSecondRatio >= 0.97)}); ` +
        `TTFT overhead p50 ${figures.ttftOverheadP50Ms} ms (≤ 3 ${mark(figures.ttftOverheadP50Ms <= 3)}); ` +
        `4 streams ÷ 1: ${figures.endpointParallelRatio}× (≥ 2 ${mark(figures.endpointParallelRatio >= 2)}; ` +
        `direct node-llama-cpp on this CPU: ${figures.directParallelRatio}×)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
