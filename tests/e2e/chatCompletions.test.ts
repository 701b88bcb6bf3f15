/**
 * The real `openai` client against the real `byoi-node` process serving the generated tiny
 * model with node-llama-cpp: streaming and not, usage, stop, length, JSON schema, parallel
 * streams.
 */
import { describe, expect, it } from 'vitest';
import { useServedTinyModel } from '../support/servedTinyModel.js';

const served = useServedTinyModel(['--parallel', '2']);

const greedy = { model: 'tiny', temperature: 0, seed: 7 } as const;

/** The ChatML prompt tokens, counted independently of the server (BOS plus the rendered turns). */
function chatMlTokenCount(messages: { role: string; content: string }[]): number {
  const text =
    messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') +
    '<|im_start|>assistant\n';
  return 1 + served.tokenizer.tokenize(text, true).length;
}

describe('byoi-node OpenAI endpoint', () => {
  it('lists the served model', async () => {
    const models = await served.client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny']);
    expect((await served.client.models.retrieve('tiny')).id).toBe('tiny');
  });

  it('answers a non-streaming request with exact usage', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'hello world, tell me about the node' },
    ];
    const completion = await served.client.chat.completions.create({
      ...greedy,
      messages,
      max_tokens: 24,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    const choice = completion.choices[0]!;
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content!.length).toBeGreaterThan(0);
    expect(choice.finish_reason).toBe('length');
    expect(completion.usage).toEqual({
      prompt_tokens: chatMlTokenCount(messages),
      completion_tokens: 24,
      total_tokens: chatMlTokenCount(messages) + 24,
    });
  });

  it('streams the same text as the non-streaming answer, in OpenAI chunk format', async () => {
    const messages = [{ role: 'user' as const, content: 'write about the water' }];
    const whole = await served.client.chat.completions.create({
      ...greedy,
      messages,
      max_tokens: 30,
    });
    const stream = await served.client.chat.completions.create({
      ...greedy,
      messages,
      max_tokens: 30,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(whole.usage);
    const choiceChunks = chunks.slice(0, -1);
    const finishes = choiceChunks.map((c) => c.choices[0]!.finish_reason);
    expect(finishes.slice(0, -1).every((f) => f === null)).toBe(true);
    expect(finishes.at(-1)).toBe('length');
    expect(choiceChunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe(
      whole.choices[0]!.message.content,
    );
  });

  it('ends the raw SSE stream with a usage chunk and [DONE]', async () => {
    const response = await fetch(`${served.node.ready.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...greedy,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const usage = JSON.parse(events.at(-2)!.slice('data: '.length)) as {
      choices: unknown[];
      usage: { completion_tokens: number };
    };
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(5);
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
  });

  it('stops at a stop sequence without including it', async () => {
    const messages = [{ role: 'user' as const, content: 'count the blue things' }];
    const free = await served.client.chat.completions.create({
      ...greedy,
      messages,
      max_tokens: 40,
    });
    const text = free.choices[0]!.message.content!;
    const stop = text.slice(8, 11);
    const expected = text.slice(0, text.indexOf(stop));
    const stopped = await served.client.chat.completions.create({
      ...greedy,
      messages,
      max_tokens: 40,
      stop: [stop, 'never-here'],
    });
    expect(stopped.choices[0]!.finish_reason).toBe('stop');
    expect(stopped.choices[0]!.message.content).toBe(expected);
    expect(stopped.usage!.completion_tokens).toBeLessThan(40);
  });

  it('ends with finish_reason "length" at max_completion_tokens', async () => {
    const completion = await served.client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'go on' }],
      max_completion_tokens: 3,
    });
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage!.completion_tokens).toBe(3);
  });

  it('returns JSON that parses against a json_schema response_format', async () => {
    const schema = {
      type: 'object',
      properties: {
        color: { enum: ['red', 'green', 'blue'] },
        ok: { type: 'boolean' },
        tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 3 },
      },
      required: ['color', 'ok', 'tags'],
      additionalProperties: false,
    };
    for (const seed of [1, 2, 3]) {
      const completion = await served.client.chat.completions.create({
        model: 'tiny',
        seed,
        messages: [{ role: 'user', content: 'pick a color' }],
        max_tokens: 200,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'pick', schema, strict: true },
        },
      });
      const value = JSON.parse(completion.choices[0]!.message.content!) as Record<string, unknown>;
      expect(Object.keys(value).sort()).toEqual(['color', 'ok', 'tags']);
      expect(['red', 'green', 'blue']).toContain(value.color);
      expect(typeof value.ok).toBe('boolean');
      expect(Array.isArray(value.tags) && value.tags.every((t) => t === 'a' || t === 'b')).toBe(
        true,
      );
    }
  });

  it('returns a JSON object for response_format json_object', async () => {
    const completion = await served.client.chat.completions.create({
      ...greedy,
      messages: [{ role: 'user', content: 'json please' }],
      max_tokens: 300,
      response_format: { type: 'json_object' },
    });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(typeof JSON.parse(completion.choices[0]!.message.content!)).toBe('object');
  });

  it('serves two streams in parallel', async () => {
    const events: string[] = [];
    const run = async (name: string) => {
      const stream = await served.client.chat.completions.create({
        ...greedy,
        messages: [{ role: 'user', content: `stream ${name}` }],
        max_tokens: 120,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) {
          events.push(name);
          text += content;
        }
      }
      return text;
    };
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    // Interleaved chunks prove both were generating at once, not one after the other.
    const lastA = events.lastIndexOf('a');
    const firstB = events.indexOf('b');
    const lastB = events.lastIndexOf('b');
    const firstA = events.indexOf('a');
    expect(firstB < lastA && firstA < lastB).toBe(true);
  });
});
