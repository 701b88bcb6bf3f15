/**
 * The cost of serving through byoi-node's local endpoint, against the least node-llama-cpp
 * can do: a plain `LlamaContextSequence.evaluate` loop in this process (the baseline), on the
 * same model, prompt and greedy sampling with 1 thread, in one run:
 *   - tokens/s ratio (endpoint ÷ direct), targets ≥ 0.95 (small) and ≥ 0.8 (tiny)
 *   - time-to-first-token overhead at p50, target ≤ 1 ms
 *   - 4 parallel streams against 1 stream, total tokens/s through the endpoint, target ≥ 2×;
 *     the same ratio for four direct loops shows what the batching alone gives
 * With LLAMA_SERVER=/path/to/llama-server it also runs llama.cpp's own server on the same
 * model with the same client, interleaved, and prints the endpoint's ratios against it.
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
  resolveChatWrapper,
  type LlamaContextSequence,
  type LlamaModel,
} from 'node-llama-cpp';
import { SMALL_SHAPE, TINY_SHAPE, writeTinyModel, type ModelShape } from '../demo/tinyModel.js';
import { startNode } from '../tests/support/nodeProcess.js';
import { startLlamaServer } from './llamaServer.js';
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

/**
 * Direct generation on one sequence, timed like a stream: the chat prompt, the part the
 * sequence already holds kept (as the node does), then `evaluate` token by token.
 */
async function generateDirect(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  text: string,
): Promise<StreamTiming> {
  const { contextText } = resolveChatWrapper(model).generateContextState({
    chatHistory: [
      { type: 'user', text },
      { type: 'model', response: [] },
    ],
  });
  const prompt = contextText.tokenize(model.tokenizer);
  const started = performance.now();
  const held = sequence.contextTokens;
  let kept = 0;
  while (kept < Math.min(held.length, prompt.length - 1) && held[kept] === prompt[kept]) kept++;
  await sequence.eraseContextTokenRanges([{ start: kept, end: sequence.nextTokenIndex }]);
  let firstTokenMs: number | null = null;
  let tokens = 0;
  for await (const token of sequence.evaluate(prompt.slice(kept), { temperature: 0 })) {
    model.detokenize([token]);
    firstTokenMs ??= performance.now() - started;
    if (++tokens >= maxTokens) break;
  }
  const totalMs = performance.now() - started;
  return { firstTokenMs: firstTokenMs ?? totalMs, totalMs, tokens };
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
  const peer = process.env['LLAMA_SERVER']
    ? await startLlamaServer(process.env['LLAMA_SERVER'], modelPath, 4)
    : null;
  const viaPeer = (content = prompt) => streamCompletion(peer!.baseURL, body(content));
  try {
    await generateDirect(model, sequences[0]!, prompt);
    await viaEndpoint(); // warm-up every path
    if (peer) await viaPeer();
    const directRuns: StreamTiming[] = [];
    const endpointRuns: StreamTiming[] = [];
    const peerRuns: StreamTiming[] = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved so that drift on a noisy machine hits every side alike.
      directRuns.push(await generateDirect(model, sequences[0]!, prompt));
      endpointRuns.push(await viaEndpoint());
      if (peer) peerRuns.push(await viaPeer());
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
    const peerFigures = peer
      ? {
          llamaServerTokensPerSecond: Math.round(tps(peerRuns)),
          tokensPerSecondRatioToLlamaServer: +(tps(endpointRuns) / tps(peerRuns)).toFixed(3),
          ttftOverLlamaServerP50Ms: +(ttft(endpointRuns) - ttft(peerRuns)).toFixed(2),
          llamaServerParallelRatio: +(
            (await throughput(4, (i) => viaPeer(`${prompt} ${i}`))) /
            (await throughput(1, () => viaPeer()))
          ).toFixed(2),
        }
      : {};
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
      ...peerFigures,
    };
  } finally {
    peer?.stop();
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
    const target = name === 'tiny' ? 0.8 : 0.95;
    console.log(
      `  ${name}: tokens/s ratio ${figures.tokensPerSecondRatio} (≥ ${target} ${mark(figures.tokensPerSecondRatio >= target)}); ` +
        `TTFT overhead p50 ${figures.ttftOverheadP50Ms} ms (≤ 1 ${mark(figures.ttftOverheadP50Ms <= 1)}); ` +
        `4 streams ÷ 1: ${figures.endpointParallelRatio}× (≥ 2 ${mark(figures.endpointParallelRatio >= 2)}; ` +
        `four direct loops: ${figures.directParallelRatio}×)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
