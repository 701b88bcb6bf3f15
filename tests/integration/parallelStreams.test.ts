/**
 * Four greedy streams at once on one context, with real node-llama-cpp: their tokens are
 * decoded in shared batches (the lean path steps them together), and no stream gets another's
 * tokens: each gives exactly what its request gives alone, streamed and whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { ModelHost } from '../../main/engine/inference/modelHost.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let host: ModelHost;

const PROMPTS = [
  'tell me a story',
  'what is the water like',
  'hello there',
  'the people and the day',
];

/** Greedy without a seed; sampled (temperature 1) with one, reproducibly. */
const request = (content: string, maxTokens: number, seed?: number) =>
  chatCompletionRequestSchema.parse({
    model: 'tiny',
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    ...(seed === undefined ? { temperature: 0 } : { temperature: 1, seed }),
  });

beforeAll(() => {
  model = createTempModel();
  host = new ModelHost({
    path: model.path,
    threads: 1,
    slots: 4,
    maxQueued: 4,
    contextPerSlot: 512,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await host.unload();
  model.cleanup();
});

/** One generation, with what it streamed. */
async function run(content: string, maxTokens: number, seed?: number) {
  const pieces: string[] = [];
  const result = await host.generate(request(content, maxTokens, seed), {
    onText: (text) => pieces.push(text),
  });
  return { ...result, streamed: pieces.join('') };
}

describe('parallel streams on one context', () => {
  /** Runs the four alone, then at once; each must give the same either way. */
  async function expectSameAloneAndTogether(seeds: (number | undefined)[]) {
    const alone: Awaited<ReturnType<typeof run>>[] = [];
    for (const [index, prompt] of PROMPTS.entries())
      alone.push(await run(prompt, 60, seeds[index]));
    const together = await Promise.all(
      PROMPTS.map((prompt, index) => run(prompt, 60, seeds[index])),
    );
    together.forEach((result, index) => {
      expect(result.text).toBe(alone[index]!.text);
      expect(result.streamed).toBe(result.text);
      expect(result.completionTokens).toBe(alone[index]!.completionTokens);
      expect(result.finishReason).toBe(alone[index]!.finishReason);
    });
    return alone;
  }

  it('give each greedy request exactly its own reply', async () => {
    await expectSameAloneAndTogether([undefined, undefined, undefined, undefined]);
  });

  // The tiny model's greedy replies are much alike; seeded sampling tells the streams apart.
  it("never mix one stream's tokens into another's", async () => {
    const alone = await expectSameAloneAndTogether([1, 2, 3, 4]);
    expect(new Set(alone.map((result) => result.text)).size).toBe(PROMPTS.length);
  });

  it('keep stepping when one stream ends early, and a late one joins', async () => {
    const short = run(PROMPTS[0]!, 3);
    const long = run(PROMPTS[1]!, 50);
    const late = short.then(() => run(PROMPTS[2]!, 20));
    const [shortResult, longResult, lateResult] = await Promise.all([short, long, late]);
    expect(shortResult.completionTokens).toBe(3);
    expect(longResult.text).toBe((await run(PROMPTS[1]!, 50)).text);
    expect(lateResult.text).toBe((await run(PROMPTS[2]!, 20)).text);
  });
});
