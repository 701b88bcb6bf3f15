import { describe, it, expect } from 'vitest';
import { ChatStreamEncoder, SSE_DONE, sseData } from '../../common/chatStream.js';
import type { ChatCompletionChunk, FinishReason, Usage } from '../../common/openai.js';
import { ApiError } from '../../common/openaiErrors.js';

/**
 * Splits SSE text into the payloads of its `data:` events, checking the framing: every
 * event is a single `data: ` line ended by a blank line, and nothing is left over.
 */
function parseSse(text: string): (ChatCompletionChunk | '[DONE]' | Record<string, unknown>)[] {
  expect(text.endsWith('\n\n')).toBe(true);
  const events = text.slice(0, -2).split('\n\n');
  return events.map((event) => {
    expect(event).toMatch(/^data: [^\n]+$/);
    const data = event.slice('data: '.length);
    return data === '[DONE]' ? '[DONE]' : (JSON.parse(data) as ChatCompletionChunk);
  });
}

/** Encodes a whole stream: some text deltas, then the finish. */
function encode(texts: string[], finishReason: FinishReason, usage: Usage | null, start = false) {
  const encoder = new ChatStreamEncoder('chatcmpl-abc', 'tiny-model', 1_700_000_000);
  let sse = start ? encoder.start() : '';
  for (const text of texts) sse += encoder.text(text);
  sse += encoder.finish(finishReason, usage);
  return parseSse(sse);
}

const usage: Usage = { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 };

const streams = [
  { name: 'text, no usage', texts: ['Hel', 'lo'], usage: null, start: false },
  { name: 'text with usage', texts: ['Hel', 'lo', '!'], usage, start: false },
  { name: 'explicit start, then text', texts: ['x'], usage, start: true },
  { name: 'no text at all', texts: [], usage: null, start: false },
  { name: 'no text at all, with usage', texts: [], usage, start: false },
  { name: 'explicit start and no text', texts: [], usage: null, start: true },
];

describe('ChatStreamEncoder', () => {
  describe.each(streams)('$name', ({ texts, usage: streamUsage, start }) => {
    const events = encode(texts, 'stop', streamUsage, start);
    const chunks = events.filter((e): e is ChatCompletionChunk => e !== '[DONE]');
    const choiceChunks = chunks.filter((c) => c.choices.length > 0);

    it('ends with exactly one [DONE], last', () => {
      expect(events.at(-1)).toBe('[DONE]');
      expect(events.filter((e) => e === '[DONE]')).toHaveLength(1);
    });

    it('opens with the assistant role, once', () => {
      expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
      expect(choiceChunks.filter((c) => c.choices[0]?.delta.role !== undefined)).toHaveLength(1);
    });

    it('gives every chunk the same id, model, created and object', () => {
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({
          id: 'chatcmpl-abc',
          model: 'tiny-model',
          created: 1_700_000_000,
          object: 'chat.completion.chunk',
        });
      }
    });

    it('carries the text deltas in order', () => {
      const content = choiceChunks.slice(1).map((c) => c.choices[0]?.delta.content);
      expect(content).toEqual([...texts, undefined]);
    });

    it('sets finish_reason on the finishing chunk only', () => {
      const reasons = choiceChunks.map((c) => c.choices[0]?.finish_reason);
      expect(reasons.at(-1)).toBe('stop');
      expect(reasons.slice(0, -1).every((reason) => reason === null)).toBe(true);
      expect(choiceChunks.at(-1)?.choices[0]?.delta).toEqual({});
      for (const chunk of choiceChunks) {
        expect(chunk.choices).toHaveLength(1);
        expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null });
      }
    });

    it(streamUsage ? 'sends the usage chunk right before [DONE]' : 'sends no usage chunk', () => {
      const withUsage = chunks.filter((c) => c.usage != null);
      if (!streamUsage) {
        expect(withUsage).toHaveLength(0);
        expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
        return;
      }
      expect(withUsage).toHaveLength(1);
      const usageChunk = events.at(-2) as ChatCompletionChunk;
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage).toEqual(streamUsage);
      expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
    });
  });

  it('passes length as the finish reason', () => {
    const events = encode(['a'], 'length', null);
    const finishing = events.at(-2) as ChatCompletionChunk;
    expect(finishing.choices[0]?.finish_reason).toBe('length');
  });

  it('sends no role chunk with later text after start()', () => {
    const encoder = new ChatStreamEncoder('id-1', 'm');
    const first = parseSse(encoder.start());
    const second = parseSse(encoder.text('more'));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect((second[0] as ChatCompletionChunk).choices[0]?.delta).toEqual({ content: 'more' });
  });

  it('keeps text that needs JSON escaping intact', () => {
    const tricky = 'line1\n\nline2 "quoted" \\ data: [DONE]\r\n';
    const events = encode([tricky], 'stop', null);
    expect((events[1] as ChatCompletionChunk).choices[0]?.delta.content).toBe(tricky);
  });

  it('defaults created to the current time in whole seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const encoder = new ChatStreamEncoder('id', 'm');
    const after = Math.floor(Date.now() / 1000);
    expect(Number.isInteger(encoder.created)).toBe(true);
    expect(encoder.created).toBeGreaterThanOrEqual(before);
    expect(encoder.created).toBeLessThanOrEqual(after);
  });

  it('emits an error as a single data event with an error object and no [DONE]', () => {
    const encoder = new ChatStreamEncoder('id', 'm', 1);
    const head = encoder.text('partial');
    const body = ApiError.internal('generation failed').toBody();
    const tail = encoder.error(body);
    const events = parseSse(tail);
    expect(events).toEqual([body]);
    expect(events[0]).toStrictEqual({
      error: {
        message: 'generation failed',
        type: 'server_error',
        param: null,
        code: 'internal_error',
      },
    });
    expect(head + tail).not.toContain('[DONE]');
  });
});

describe('SSE framing', () => {
  it.each([
    [{ a: 1 }, 'data: {"a":1}\n\n'],
    ['text', 'data: "text"\n\n'],
    [[1, 2], 'data: [1,2]\n\n'],
    [{ s: 'x\ny' }, 'data: {"s":"x\\ny"}\n\n'],
  ])('sseData(%j)', (payload, expected) => {
    expect(sseData(payload)).toBe(expected);
  });

  it('terminates with data: [DONE] and a blank line', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });
});
