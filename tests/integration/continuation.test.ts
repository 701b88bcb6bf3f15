/**
 * Continuing a reply (a job failed over after its node died mid-stream) with real
 * node-llama-cpp and the tiny model: the continued generation picks up where the first left
 * off, counts only its new tokens, and the link streams only the new text.
 *
 * Exact equality with the uninterrupted greedy reply holds only when the continued text
 * tokenizes back to the tokens that were generated. The tiny model's vocabulary has whole
 * `▁word` pieces but not the pieces between them and single letters, so its tokenizer spells
 * " so" as `▁ s o` while the model generated `▁so`; after such a prefix the model sees other
 * tokens and its greedy reply may differ. A prefix of symbols ("." here) tokenizes back the
 * same, and there the reply must match exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { gatewayFrameSchema, type GatewayFrame, type NodeFrame } from '../../common/protocol.js';
import { silentLogger } from '../../common/log.js';
import { ModelHost, type GenerationResult } from '../../main/engine/inference/modelHost.js';
import { JobRunner } from '../../main/engine/link/jobRunner.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let host: ModelHost;

const PROMPTS = ['tell me a story', 'hello there', 'x'];
const request = (maxTokens: number, content = PROMPTS[0], extra: object = {}) =>
  chatCompletionRequestSchema.parse({
    model: 'tiny',
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    temperature: 0,
    ...extra,
  });

/** Generates, keeping the non-empty chunks (the ones the link sends). */
async function generate(
  maxTokens: number,
  content = PROMPTS[0],
  continuation?: string,
  extra: object = {},
): Promise<{ result: GenerationResult; chunks: string[] }> {
  const chunks: string[] = [];
  const result = await host.generate(request(maxTokens, content, extra), {
    continuation,
    onText: (text) => {
      if (text.length > 0) chunks.push(text);
    },
  });
  return { result, chunks };
}

beforeAll(() => {
  model = createTempModel();
  host = new ModelHost({
    path: model.path,
    threads: 1,
    slots: 1,
    maxQueued: 4,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await host.unload();
  model.cleanup();
});

describe('continuing a reply', () => {
  it('gives the rest of the greedy reply when the continued text tokenizes back the same', async () => {
    const N = 40;
    let exact = 0;
    for (const prompt of PROMPTS) {
      const full = await generate(N, prompt);
      expect(full.chunks).toHaveLength(N);
      for (const K of [1, 2, 5, 12]) {
        const prefix = full.chunks.slice(0, K).join('');
        const rest = full.chunks.slice(K).join('');
        const continued = await generate(N - K, prompt, prefix);
        // Only the new tokens count as output; the prefix is input the node processed.
        expect(continued.result.completionTokens).toBe(N - K);
        expect(continued.result.finishReason).toBe('length');
        expect(continued.chunks.join('')).toBe(continued.result.text);
        const prefixTokens = continued.result.promptTokens - full.result.promptTokens;
        expect(prefixTokens).toBeGreaterThanOrEqual(K);
        if (prefixTokens === K) {
          exact++;
          expect(continued.result.text).toBe(rest);
          expect(continued.chunks).toEqual(full.chunks.slice(K));
        }
      }
    }
    // The reply starts with ".", which tokenizes back to the token generated.
    expect(exact).toBeGreaterThanOrEqual(PROMPTS.length);
  });

  it('keeps the space before the first new word', async () => {
    const full = await generate(6);
    expect(full.chunks[1]).toMatch(/^ \S/);
    const continued = await generate(5, PROMPTS[0], full.chunks[0]);
    expect(continued.chunks[0]).toBe(full.chunks[1]);
    expect(continued.result.text).toBe(full.chunks.slice(1).join(''));
  });

  it('runs with a JSON grammar too (the grammar starts afresh, it is not fed the prefix)', async () => {
    for (const response_format of [
      { type: 'json_object' },
      {
        type: 'json_schema',
        json_schema: {
          name: 'a',
          schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        },
      },
    ]) {
      const continued = await generate(30, PROMPTS[0], '{"a": "he', { response_format });
      expect(continued.result.completionTokens).toBeGreaterThan(0);
      expect(continued.result.text).not.toContain('{"a": "he');
    }
  });
});

describe('a link job with a continuation', () => {
  it('streams only the new text, the rest of the greedy reply', async () => {
    const full = await generate(20);
    const frames: NodeFrame[] = [];
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const jobs = new JobRunner({
      send: (frame) => frames.push(frame),
      backlog: () => 0,
      models: () => [
        { host, price: { prompt: 0.1, completion: 0.2 }, slots: 1, contextLength: 2048 },
      ],
      pausedReason: () => null,
      logger: silentLogger,
      onJobEnd: () => ended(),
    });
    const offer = gatewayFrameSchema.parse({
      type: 'job.offer',
      jobId: 'job-1',
      request: request(19),
      price: { prompt: 0.1, completion: 0.2 },
      continuation: { text: full.chunks[0] },
    }) as Extract<GatewayFrame, { type: 'job.offer' }>;
    jobs.offer(offer);
    await done;
    const chunks = frames.flatMap((frame) => (frame.type === 'job.chunk' ? [frame.text] : []));
    expect(chunks).toEqual(full.chunks.slice(1));
    expect(frames.at(-1)).toMatchObject({
      type: 'job.done',
      finishReason: 'length',
      usage: { promptTokens: full.result.promptTokens + 1, completionTokens: 19 },
    });
  });
});

describe('chunks and tokens', () => {
  it('sends one chunk per generated token when nothing is held back', async () => {
    for (const prompt of PROMPTS) {
      for (const maxTokens of [50, 200]) {
        const { result, chunks } = await generate(maxTokens, prompt);
        expect(chunks).toHaveLength(result.completionTokens);
        expect(result.completionTokens).toBe(maxTokens);
      }
    }
  });

  it('sends fewer chunks than tokens when a stop sequence swallows tokens', async () => {
    const { result, chunks } = await generate(100, 'hello there', undefined, { stop: [' so.'] });
    expect(result.finishReason).toBe('stop');
    expect(chunks.length).toBeLessThan(result.completionTokens);
  });
});
