/**
 * Time to the first tool-call delta against time to the first content token, through
 * byoi-node's endpoint on the same model (the generated "small" one with the Qwen2.5-style
 * tools template), messages and seed, 1 thread, in one run:
 *   - plain: the question with no tools, first content token;
 *   - named: `tool_choice` naming a function (forced by grammar), first tool-call delta;
 *   - required: any of three tools (a grammar picks the name first), first tool-call delta;
 *   - auto: the model's own choice (node-llama-cpp function calling), first output.
 * The tools requests carry the tools' documentation in their prompt, so part of the gap is
 * prompt length; the figure printed beside each is its prompt tokens.
 * Usage: npm run bench:tools -- [--rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SMALL_SHAPE, writeTinyModel } from '../demo/tinyModel.js';
import { startNode } from '../tests/support/nodeProcess.js';
import { median, streamCompletion } from './streamTiming.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } });
const rounds = Number(values.rounds);

const param = (name: string) => ({
  type: 'object',
  properties: { [name]: { type: 'string' }, days: { type: 'integer' } },
  required: [name, 'days'],
});
const tools = ['city', 'zone', 'topic'].map((name) => ({
  type: 'function',
  function: { name: `get_${name}`, description: `Looks up a ${name}`, parameters: param(name) },
}));
const base = {
  model: 'small',
  messages: [{ role: 'user', content: 'What is the weather in Paris for three days?' }],
  temperature: 0,
  seed: 42,
  max_tokens: 24,
  stream: true,
  stream_options: { include_usage: true },
};
const cases: Record<string, object> = {
  plain: {},
  named: { tools, tool_choice: { type: 'function', function: { name: 'get_city' } } },
  required: { tools, tool_choice: 'required' },
  auto: { tools, tool_choice: 'auto' },
};

const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-tools-'));
try {
  const modelPath = writeTinyModel(join(dir, 'small.gguf'), SMALL_SHAPE, 'tools');
  const node = await startNode(['--model', modelPath, '--parallel', '1'], { BYOI_THREADS: '1' });
  try {
    const url = node.ready.openaiBaseURL;
    const prompts: Record<string, number> = {};
    for (const [name, extra] of Object.entries(cases)) {
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...base, ...extra, stream: false, stream_options: undefined }),
      });
      prompts[name] = (
        (await response.json()) as { usage: { prompt_tokens: number } }
      ).usage.prompt_tokens;
    }
    const samples: Record<string, number[]> = Object.fromEntries(
      Object.keys(cases).map((name) => [name, []]),
    );
    for (let round = 0; round < rounds; round++) {
      for (const [name, extra] of Object.entries(cases)) {
        // A fresh question each round, so no prompt is served from the slot's cache.
        const messages = [{ role: 'user', content: `${base.messages[0]!.content} (${round})` }];
        samples[name]!.push(
          (await streamCompletion(url, { ...base, ...extra, messages })).firstTokenMs,
        );
      }
    }
    const plain = median(samples.plain!);
    console.log(`first output at p50 over ${rounds} rounds (small model, 1 thread):`);
    for (const name of Object.keys(cases)) {
      const ms = median(samples[name]!);
      console.log(
        `  ${name.padEnd(9)} ${ms.toFixed(1).padStart(7)} ms  ×${(ms / plain).toFixed(2)} of plain  (${prompts[name]} prompt tokens)`,
      );
    }
  } finally {
    await node.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
