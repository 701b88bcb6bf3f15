/**
 * Yield latency: how fast an idle-only node gets out of the way when its user comes back.
 * On the demo network (a real gateway and a real node serving a generated model), the node
 * runs idle-only with "free VRAM when paused". Each round:
 *   1. the node is reported idle and serves again (its model is loaded again);
 *   2. two streaming requests run through the gateway until both have produced text;
 *   3. the test reports user activity through the control API (as the Electron shell's
 *      powerMonitor would), and times until the node logs `yielded`: no generation running
 *      and the model unloaded (on a GPU, that is the VRAM freed; here it is the CPU memory).
 * Target: p95 ≤ 1 s. The baseline, measured in the same run, is the same yield with no
 * generation running, so the ratio shows what stopping live generations adds.
 * The default model is the generated "small" one (about 80 MB), so that unloading frees
 * something worth measuring.
 * Usage: npm run bench:yield -- [--rounds N] [--model small|tiny]
 */
import { parseArgs } from 'node:util';
import type { LogLine } from '../demo/jsonProcess.js';
import { callNode } from '../demo/nodeControl.js';
import { startDemo, type Demo, type DemoNode } from '../demo/startDemo.js';
import { median, percentile } from './streamTiming.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    model: { type: 'string', default: 'small' },
  },
});
const rounds = Number(values.rounds);
const modelShape = values.model === 'tiny' ? 'tiny' : 'small';
const WAIT_MS = 30_000;

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a long streaming request; resolves `started` at its first content chunk. */
function longStream(demo: Demo): { started: Promise<void>; done: Promise<string> } {
  let onStarted!: () => void;
  const started = new Promise<void>((resolve) => (onStarted = resolve));
  const done = (async () => {
    const response = await fetch(`${demo.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: demo.model,
        messages: [{ role: 'user', content: 'Tell me a very long story.' }],
        max_tokens: 1900,
        stream: true,
      }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done: finished } = await reader.read();
      if (finished) return text;
      text += decoder.decode(value, { stream: true });
      if (text.includes('"content"')) onStarted();
    }
  })();
  done.catch(() => onStarted());
  return { started, done };
}

async function serveAgain(demo: Demo, node: DemoNode): Promise<void> {
  const mark = demo.gateway.logs.length;
  const nodeMark = node.process.logs.length;
  await callNode(node.control, 'reportSignals', { userIdleSeconds: 3600 });
  await within(
    demo.gateway.waitForLog(
      (line) =>
        line.msg === 'node availability' && line.nodeId === node.id && line.serving === true,
      mark,
    ),
    'the node to serve again',
  );
  const status = await callNode(node.control, 'getStatus', {});
  if (!status.models.every((model) => model.loaded)) {
    await within(
      node.process.waitForLog((line) => line.msg === 'model loaded again', nodeMark),
      'the model to load again',
    );
  }
}

/** Reports user activity and resolves with the ms until the node logged `yielded`. */
async function yieldOnce(node: DemoNode): Promise<{ ms: number; line: LogLine }> {
  const mark = node.process.logs.length;
  const started = performance.now();
  await callNode(node.control, 'reportSignals', { userIdleSeconds: 0 });
  const line = await within(
    node.process.waitForLog((l) => l.msg === 'yielded', mark),
    'the node to yield',
  );
  const ms = performance.now() - started;
  const status = await callNode(node.control, 'getStatus', {});
  if (status.models.some((model) => model.loaded || model.running > 0)) {
    throw new Error('the node said it yielded but a model is still loaded or running');
  }
  return { ms, line };
}

const demo = await startDemo({ nodes: [{ args: ['--parallel', '2'] }], model: modelShape });
try {
  const node = demo.nodes[0]!;
  await callNode(node.control, 'updateSettings', {
    schedule: { mode: 'idle', idleThresholdSeconds: 1, freeVramWhenPaused: true },
  });
  const baseline: number[] = [];
  const loaded: number[] = [];
  let stopped = 0;
  for (let round = 0; round < rounds; round++) {
    await serveAgain(demo, node);
    baseline.push((await yieldOnce(node)).ms);

    await serveAgain(demo, node);
    const streams = [longStream(demo), longStream(demo)];
    await within(Promise.all(streams.map((s) => s.started)), 'both streams to start');
    const { ms, line } = await yieldOnce(node);
    loaded.push(ms);
    stopped += Number(line.stopped ?? 0);
    await Promise.allSettled(streams.map((s) => s.done));
  }
  const p95 = percentile(loaded, 95);
  const baseP95 = percentile(baseline, 95);
  const fmt = (n: number) => n.toFixed(1);
  console.log(
    `yield latency, ${demo.model} model (${rounds} rounds): user activity → no generation running, model unloaded`,
  );
  console.log(`  with 2 live generations: p50 ${fmt(median(loaded))} ms, p95 ${fmt(p95)} ms`);
  console.log(
    `  baseline, nothing running: p50 ${fmt(median(baseline))} ms, p95 ${fmt(baseP95)} ms`,
  );
  console.log(`  ratio p95 loaded ÷ baseline: ${(p95 / baseP95).toFixed(2)}`);
  console.log(`  generations stopped: ${stopped} of ${rounds * 2}`);
  console.log(`  target p95 ≤ 1000 ms: ${p95 <= 1000 ? 'PASS' : 'MISS'}`);
} finally {
  await demo.stop();
}
