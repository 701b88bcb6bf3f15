import { describe, expect, it } from 'vitest';
import type { Task } from '../../gateway/routing/route.js';
import { boundUsage, completionBound, promptBound } from '../../gateway/accounting/usageBounds.js';
import type { ChatCompletionRequest } from '../../common/openai.js';

const request = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest =>
  ({
    model: 'm',
    messages: [{ role: 'user', content: 'héllo' }],
    ...extra,
  }) as ChatCompletionRequest;

const chat = (): Task => ({ kind: 'chat', request: request() });

describe('usage bounds', () => {
  it('bounds embeddings by their inputs (bytes, or token-array lengths) and bills no completion', () => {
    const task: Task = {
      kind: 'embeddings',
      request: { model: 'm', input: ['ab', [1, 2, 3]] as never },
      inputs: ['ab', [1, 2, 3]],
    };
    const bounded = boundUsage({ promptTokens: 999, completionTokens: 5 }, task, '');
    expect(bounded.usage).toEqual({ promptTokens: 2 + 2 + 3 + 2, completionTokens: 0 });
    expect(bounded.overReported).toBe(true);
  });

  it('bounds a text completion by its prompt, max_tokens and the text relayed', () => {
    const task: Task = {
      kind: 'completions',
      request: { model: 'm', prompt: 'abcd', max_tokens: 40 },
    };
    const bounded = boundUsage({ promptTokens: 5, completionTokens: 100 }, task, 'xyz');
    expect(bounded.usage).toEqual({ promptTokens: 5, completionTokens: 3 + 16 });
    const defaults: Task = { kind: 'completions', request: { model: 'm', prompt: [[1, 2]] } };
    expect(
      boundUsage({ promptTokens: 500, completionTokens: 100 }, defaults, 'x'.repeat(99)).usage,
    ).toEqual({
      promptTokens: 2 + 64,
      completionTokens: 16,
    });
  });

  it('bounds completion tokens by relayed bytes plus an allowance, and by max_tokens', () => {
    expect(completionBound(request(), 'abc')).toBe(3 + 16);
    expect(completionBound(request(), 'é')).toBe(2 + 16);
    expect(completionBound(request({ max_tokens: 5 }), 'a long answer here')).toBe(5);
    expect(
      completionBound(request({ max_completion_tokens: 4, max_tokens: 9 }), 'x'.repeat(50)),
    ).toBe(4);
    expect(completionBound(request(), 'x'.repeat(50), 10)).toBe(10);
  });

  it('bounds prompt tokens by the bytes of the messages and a template margin', () => {
    expect(promptBound(request())).toBe(6 + 16 + 64);
    // A continued stream's node reads the reply so far as one more message of prompt.
    expect(promptBound(request(), 'so far')).toBe(6 + 6 + 2 * 16 + 64);
  });

  it('keeps an honest report and clamps an over-report', () => {
    expect(boundUsage({ promptTokens: 5, completionTokens: 2 }, chat(), 'ok')).toEqual({
      usage: { promptTokens: 5, completionTokens: 2 },
      overReported: false,
    });
    expect(
      boundUsage({ promptTokens: 2 ** 31 - 1, completionTokens: 1_000_000 }, chat(), 'ok'),
    ).toEqual({ usage: { promptTokens: 86, completionTokens: 18 }, overReported: true });
    expect(
      boundUsage({ promptTokens: -3, completionTokens: Number.NaN }, chat(), 'ok').usage,
    ).toEqual({ promptTokens: 0, completionTokens: 0 });
  });
});
