/**
 * Time to the first tool-call delta against time to the first content token, through
 * byoi-node's endpoint on the same model (the generated "small" one with the Qwen2.5-style
 * tools template), question and seed, 1 thread, in one run. Tools are documented in the
 * prompt, which makes it longer, so the baseline is a plain request padded to the same
 * prompt length (and the unpadded one is shown too):
 *   - named: `tool_choice` naming a function (forced by grammar): the call's header goes out
 *     before any token, so both it and the first argument fragment are timed;
 *   - required: any of three tools (a grammar picks the name first): the first delta;
 *   - auto: the model's own choice (node-llama-cpp function calling): the first output.
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
/** The tools, their descriptions marked with the round, so no prompt prefix is cached. */
const toolsOf = (round: number) =>
  ['city', 'zone', 'topic'].map((name) => ({
    type: 'function',
    function: {
      name: `get_${name}`,
      description: `(${round}) Looks up a ${name}`,
      parameters: param(name),
    },
  }));
const question = 'What is the weather in Paris for three days?';
const base = { model: 'small', temperature: 0, seed: 42, max_tokens: 24, stream: true };
const named = (round: number) => ({
  tools: toolsOf(round),
  tool_choice: { type: 'function', function: { name: 'get_city' } },
});

/** A first argument fragment: a tool-call delta whose arguments are not empty. */
const isArgument = (event: string) =>
  event.includes('"tool_calls":[') && !event.includes('"arguments":""');

interface Case {
  extra: (round: number) => object;
  /** Words added to the question, to match the tools' prompt length. */
  pad?: number;
  isOutput?: (event: string) => boolean;
}

const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-tools-'));
try {
  const modelPath = writeTinyModel(join(dir, 'small.gguf'), SMALL_SHAPE, 'tools');
  const node = await startNode(['--model', modelPath, '--parallel', '1'], { BYOI_THREADS: '1' });
  try {
    const url = node.ready.openaiBaseURL;
    const messages = (round: number, pad = 0) => [
      // Marked with the round first, so no prompt prefix is served from the slot's cache.
      { role: 'user', content: `(${round}) ${'the water '.repeat(pad / 2)}${question}` },
    ];
    const promptTokens = async (extra: object, pad?: number): Promise<number> => {
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...base, ...extra, stream: false, messages: messages(-1, pad) }),
      });
      const json = (await response.json()) as { usage?: { prompt_tokens: number } };
      if (!json.usage) throw new Error(`no usage: ${JSON.stringify(json)}`);
      return json.usage.prompt_tokens;
    };
    // Words of padding that bring a plain prompt to the tools' length, by measuring.
    const toolsPrompt = await promptTokens(named(-1));
    const plainPrompt = await promptTokens({});
    const perWord = ((await promptTokens({}, 200)) - plainPrompt) / 200;
    const pad = 2 * Math.round((toolsPrompt - plainPrompt) / perWord / 2);
    const cases: Record<string, Case> = {
      'plain, padded': { extra: () => ({}), pad },
      plain: { extra: () => ({}) },
      'named: header': { extra: named },
      'named: arguments': { extra: named, isOutput: isArgument },
      required: { extra: (round) => ({ tools: toolsOf(round), tool_choice: 'required' }) },
      auto: { extra: (round) => ({ tools: toolsOf(round), tool_choice: 'auto' }) },
    };
    const prompts: Record<string, number> = {};
    for (const [name, { extra, pad }] of Object.entries(cases)) {
      prompts[name] = await promptTokens(extra(-2), pad);
    }
    const samples: Record<string, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const [index, [name, { extra, pad, isOutput }]] of Object.entries(cases).entries()) {
        // A mark of its own for every request, so none reuses the one before's prompt.
        const mark = round * 100 + index;
        const body = { ...base, ...extra(mark), messages: messages(mark, pad) };
        const timing = await streamCompletion(url, body, {}, isOutput);
        (samples[name] ??= []).push(timing.firstTokenMs);
      }
    }
    const baseline = median(samples['plain, padded']!);
    console.log(`first output at p50 over ${rounds} rounds (small model, 1 thread):`);
    for (const name of Object.keys(cases)) {
      const ms = median(samples[name]!);
      const ratio = (ms / baseline).toFixed(2);
      console.log(
        `  ${name.padEnd(17)} ${ms.toFixed(1).padStart(7)} ms  ×${ratio} of plain, padded  (${prompts[name]} prompt tokens)`,
      );
    }
  } finally {
    await node.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
