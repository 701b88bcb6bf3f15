/**
 * The cost of serving through byoi-node's local endpoint, against direct node-llama-cpp
 * generation, measured in one run on the same model, prompt and seed with 1 thread:
 *   - tokens/s ratio (endpoint ÷ direct), target ≥ 0.97
 *   - time-to-first-token overhead at p50, target ≤ 3 ms
 *   - 4 parallel streams against 1 stream, total tokens/s, target ≥ 2×
 * Usage: npm run bench -- [--model tiny|small] [--rounds N] [--tokens N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getLlama, LlamaChat, type ChatHistoryItem } from 'node-llama-cpp';
import { SMALL_SHAPE, TINY_SHAPE, writeTinyModel } from '../tests/fixtures/tinyModel.js';
import { startNode } from '../tests/support/nodeProcess.js';
import { median, percentile, streamCompletion, type StreamTiming } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny' },
    rounds: { type: 'string', default: '12' },
    tokens: { type: 'string', default: '256' },
  },
});
const shape = values.model === 'small' ? SMALL_SHAPE : TINY_SHAPE;
const rounds = Number(values.rounds);
const maxTokens = Number(values.tokens);
const prompt = 'Tell me about the water, the people and the day.';
const seed = 42;

const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-'));
const modelPath = writeTinyModel(join(dir, `${values.model}.gguf`), shape);

async function main() {
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
  const sequence = context.getSequence();
  const history: ChatHistoryItem[] = [
    { type: 'user', text: prompt },
    { type: 'model', response: [] },
  ];

  const direct = async (): Promise<StreamTiming> => {
    await sequence.clearHistory(); // the endpoint's slots start cold too: same prompt work
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
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
  };

  const node = await startNode(['--model', modelPath, '--parallel', '4', '--log-level', 'warn']);
  const body = (content: string) => ({
    model: values.model,
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    seed,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  const viaEndpoint = () => streamCompletion(node.ready.openaiBaseURL, body(prompt));

  try {
    await direct();
    await viaEndpoint(); // warm-up both paths
    const directRuns: StreamTiming[] = [];
    const endpointRuns: StreamTiming[] = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved so that drift on a noisy machine hits both sides alike.
      directRuns.push(await direct());
      endpointRuns.push(await viaEndpoint());
    }
    const tps = (runs: StreamTiming[]) => median(runs.map((r) => (r.tokens / r.totalMs) * 1000));
    const ttft = (runs: StreamTiming[], p: number) =>
      percentile(
        runs.map((r) => r.firstTokenMs),
        p,
      );

    const single: number[] = [];
    const parallel: number[] = [];
    for (let round = 0; round < Math.max(3, rounds / 4); round++) {
      let started = performance.now();
      let run = await viaEndpoint();
      single.push((run.tokens / (performance.now() - started)) * 1000);
      started = performance.now();
      const runs = await Promise.all(
        [0, 1, 2, 3].map((i) => streamCompletion(node.ready.openaiBaseURL, body(`${prompt} ${i}`))),
      );
      parallel.push(
        (runs.reduce((sum, r) => sum + r.tokens, 0) / (performance.now() - started)) * 1000,
      );
      run = runs[0]!;
    }

    const directTps = tps(directRuns);
    const endpointTps = tps(endpointRuns);
    const figures = {
      model: `${values.model} (${shape.embed}x${shape.layers}, F32, threads 1)`,
      rounds,
      maxTokens,
      directTokensPerSecond: Math.round(directTps),
      endpointTokensPerSecond: Math.round(endpointTps),
      tokensPerSecondRatio: +(endpointTps / directTps).toFixed(3),
      ttftDirectP50Ms: +ttft(directRuns, 50).toFixed(2),
      ttftEndpointP50Ms: +ttft(endpointRuns, 50).toFixed(2),
      ttftOverheadP50Ms: +(ttft(endpointRuns, 50) - ttft(directRuns, 50)).toFixed(2),
      oneStreamTokensPerSecond: Math.round(median(single)),
      fourStreamsTokensPerSecond: Math.round(median(parallel)),
      parallelRatio: +(median(parallel) / median(single)).toFixed(2),
    };
    console.log(JSON.stringify(figures, null, 2));
    console.log(
      [
        `tokens/s ratio (endpoint ÷ direct): ${figures.tokensPerSecondRatio} (target ≥ 0.97) ${figures.tokensPerSecondRatio >= 0.97 ? 'PASS' : 'MISS'}`,
        `TTFT overhead p50: ${figures.ttftOverheadP50Ms} ms (target ≤ 3 ms) ${figures.ttftOverheadP50Ms <= 3 ? 'PASS' : 'MISS'}`,
        `4 streams ÷ 1 stream: ${figures.parallelRatio}× (target ≥ 2×) ${figures.parallelRatio >= 2 ? 'PASS' : 'MISS'}`,
      ].join('\n'),
    );
  } finally {
    await node.stop();
    await context.dispose();
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
