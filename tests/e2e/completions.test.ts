/**
 * `POST /v1/completions` (legacy text completions) on the real `byoi-node` process serving
 * the generated tiny model, through the real `openai` client: streaming and not, exact
 * usage, token-id prompts, stop sequences, and a 400 naming each unsupported option.
 */
import { describe, expect, it } from 'vitest';
import { useServedTinyModel } from '../support/servedTinyModel.js';

const served = useServedTinyModel();

const greedy = { model: 'tiny', temperature: 0, seed: 7 } as const;
const prompt = 'Tell me about the water and the people';

/** Prompt tokens counted independently: the begin token plus the text, special tokens parsed. */
function promptTokenCount(text: string): number {
  return 1 + served.tokenizer.tokenize(text, true).length;
}

async function post(body: unknown): Promise<{ status: number; error: Record<string, unknown> }> {
  const response = await fetch(`${served.node.ready.openaiBaseURL}/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { error: Record<string, unknown> };
  return { status: response.status, error: json.error };
}

describe('byoi-node /v1/completions', () => {
  it('continues a prompt with exact usage, 16 tokens by default', async () => {
    const completion = await served.client.completions.create({
      ...greedy,
      prompt,
      max_tokens: 12,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    const choice = completion.choices[0]!;
    expect(choice).toMatchObject({ index: 0, logprobs: null, finish_reason: 'length' });
    expect(choice.text.length).toBeGreaterThan(0);
    const promptTokens = promptTokenCount(prompt);
    expect(completion.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 12,
      total_tokens: promptTokens + 12,
    });
    const byDefault = await served.client.completions.create({ ...greedy, prompt });
    expect(byDefault.usage!.completion_tokens).toBe(16);
    expect(byDefault.choices[0]!.text.startsWith(choice.text)).toBe(true);
  });

  it('streams the same text in text_completion chunks, then usage and [DONE]', async () => {
    const whole = await served.client.completions.create({ ...greedy, prompt, max_tokens: 20 });
    const stream = await served.client.completions.create({
      ...greedy,
      prompt,
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(whole.usage);
    const finishes = chunks.slice(0, -1).map((c) => c.choices[0]!.finish_reason);
    expect(finishes.slice(0, -1).every((f) => f === null)).toBe(true);
    expect(finishes.at(-1)).toBe('length');
    const text = chunks
      .slice(0, -1)
      .map((c) => c.choices[0]!.text)
      .join('');
    expect(text).toBe(whole.choices[0]!.text);

    const raw = await fetch(`${served.node.ready.openaiBaseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...greedy, prompt, max_tokens: 3, stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await raw.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events).toHaveLength(3 + 2);
  });

  it('takes a token-id prompt as the same prompt', async () => {
    const tokens = served.tokenizer.tokenize(prompt, true);
    const byText = await served.client.completions.create({ ...greedy, prompt, max_tokens: 8 });
    for (const asTokens of [tokens, [tokens]]) {
      const completion = await served.client.completions.create({
        ...greedy,
        prompt: asTokens,
        max_tokens: 8,
      });
      expect(completion.choices[0]!.text).toBe(byText.choices[0]!.text);
      expect(completion.usage).toEqual(byText.usage);
    }
  });

  it('stops at a stop sequence without including it', async () => {
    const free = await served.client.completions.create({ ...greedy, prompt, max_tokens: 40 });
    const text = free.choices[0]!.text;
    const stop = text.slice(8, 11);
    const stopped = await served.client.completions.create({
      ...greedy,
      prompt,
      max_tokens: 40,
      stop: [stop, 'never-here'],
    });
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.choices[0]!.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(stopped.usage!.completion_tokens).toBeLessThan(40);
  });

  it('refuses each unsupported option with a 400 naming it', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ suffix: 'end' }, 'suffix'],
      [{ echo: true }, 'echo'],
      [{ best_of: 2 }, 'best_of'],
      [{ n: 2 }, 'n'],
      [{ logprobs: 1 }, 'logprobs'],
      [{ logit_bias: { '50': 5 } }, 'logit_bias'],
      [{ prompt: ['one', 'two'] }, 'prompt'],
      [{ prompt: [[1, 2], [3]] }, 'prompt'],
      [{ prompt: [1, 99999] }, 'prompt'],
    ];
    for (const [extra, param] of cases) {
      const { status, error } = await post({ ...greedy, prompt, ...extra });
      expect(status, JSON.stringify(extra)).toBe(400);
      expect(error.param, JSON.stringify(extra)).toBe(param);
    }
    const several = await post({ ...greedy, prompt: ['one', 'two'] });
    expect(String(several.error.message)).toMatch(/one prompt per request/);
    // The neutral values of the same options are accepted.
    const neutral = await served.client.completions.create({
      ...greedy,
      prompt,
      max_tokens: 2,
      suffix: null,
      echo: false,
      best_of: 1,
      n: 1,
      logprobs: null,
      logit_bias: {},
    });
    expect(neutral.usage!.completion_tokens).toBe(2);
  });

  it('refuses a prompt and max_tokens that overflow the slot', async () => {
    const { status, error } = await post({ ...greedy, prompt, max_tokens: 5000 });
    expect(status).toBe(400);
    expect(error).toMatchObject({ param: 'prompt', code: 'context_length_exceeded' });
  });
});
