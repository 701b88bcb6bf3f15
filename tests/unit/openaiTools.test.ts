/**
 * Tool-calling request fields: what is accepted, and a 400 naming the field for each of the
 * malformed requests below; the delta checks the gateway applies to what a node streams.
 */
import { describe, expect, it } from 'vitest';
import { ChatReply, ToolCallDeltas } from '../../common/chatDelta.js';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { apiErrorFromZod } from '../../common/openaiErrors.js';
import {
  callsTools,
  jsonDepth,
  jsonNodeCount,
  MAX_SCHEMA_DEPTH,
  MAX_SCHEMA_NODES,
  usesTools,
} from '../../common/openaiTools.js';

const user = { role: 'user', content: 'weather?' };
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const call = (id: string, args = '{"city":"Paris"}') => ({
  id,
  type: 'function',
  function: { name: 'get_weather', arguments: args },
});
const base = { model: 'tiny', messages: [user], tools: [weather] };

function paramFor(body: unknown): string | null {
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) throw new Error(`expected ${JSON.stringify(body)} to be refused`);
  const error = apiErrorFromZod(result.error, body);
  expect(error.status).toBe(400);
  return error.param;
}

/** Nested `{a: {a: …}}`, `levels` deep. */
const nested = (levels: number): Record<string, unknown> =>
  levels === 0 ? {} : { a: nested(levels - 1) };
/** A flat schema of `values` values in all (the object itself and its enum's members). */
const wide = (values: number) => ({ enum: Array.from({ length: values - 2 }, (_, i) => i) });

describe('tool fields', () => {
  it('accepts tools, every tool_choice form, and a full round trip in the history', () => {
    for (const tool_choice of [
      'auto',
      'none',
      'required',
      { type: 'function', function: { name: 'get_weather' } },
    ]) {
      expect(chatCompletionRequestSchema.safeParse({ ...base, tool_choice }).success).toBe(true);
    }
    const roundTrip = chatCompletionRequestSchema.parse({
      ...base,
      parallel_tool_calls: false,
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: [call('call_1'), call('call_2')] },
        { role: 'tool', tool_call_id: 'call_2', content: 'rain' },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sun' }] },
        { role: 'assistant', content: 'Sun in one, rain in the other.' },
        user,
      ],
    });
    expect(usesTools(roundTrip)).toBe(true);
    expect(callsTools(roundTrip)).toBe(true);
    expect(callsTools({ ...roundTrip, tool_choice: 'none' })).toBe(false);
  });

  const missingCallHistory = [
    user,
    { role: 'assistant', content: null, tool_calls: [call('call_1')] },
    user,
  ];
  it.each([
    [
      'a tool with no name',
      { tools: [{ type: 'function', function: {} }] },
      'tools[0].function.name',
    ],
    [
      'a tool name with spaces',
      { tools: [{ type: 'function', function: { name: 'get weather' } }] },
      'tools[0].function.name',
    ],
    [
      'a tool name too long',
      { tools: [{ type: 'function', function: { name: 'x'.repeat(65) } }] },
      'tools[0].function.name',
    ],
    [
      'an unknown tool type',
      { tools: [{ type: 'code_interpreter', function: { name: 'f' } }] },
      'tools[0].type',
    ],
    ['a tool without its function', { tools: [{ type: 'function' }] }, 'tools[0].function'],
    [
      'parameters that are not an object',
      { tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] },
      'tools[0].function.parameters',
    ],
    [
      'parameters nested too deep',
      {
        tools: [
          { type: 'function', function: { name: 'f', parameters: nested(MAX_SCHEMA_DEPTH + 1) } },
        ],
      },
      'tools[0].function.parameters',
    ],
    [
      'a description that is not a string',
      { tools: [{ type: 'function', function: { name: 'f', description: 3 } }] },
      'tools[0].function.description',
    ],
    ['the same tool twice', { tools: [weather, weather] }, 'tools[1].function.name'],
    [
      'too many tools',
      {
        tools: Array.from({ length: 129 }, (_, i) => ({
          type: 'function',
          function: { name: `f${i}` },
        })),
      },
      'tools',
    ],
    ['tools that are not a list', { tools: { get_weather: {} } }, 'tools'],
    [
      'a tool_choice naming a missing function',
      { tool_choice: { type: 'function', function: { name: 'nope' } } },
      'tool_choice.function.name',
    ],
    ['an unknown tool_choice', { tool_choice: 'always' }, 'tool_choice'],
    ['tool_choice without tools', { tools: undefined, tool_choice: 'auto' }, 'tool_choice'],
    [
      'parallel_tool_calls without tools',
      { tools: undefined, parallel_tool_calls: true },
      'parallel_tool_calls',
    ],
    ['parallel_tool_calls not a boolean', { parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
    [
      'a tool message with no matching call',
      { messages: [user, { role: 'tool', tool_call_id: 'call_9', content: 'x' }] },
      'messages[1].tool_call_id',
    ],
    [
      'a tool message with no tool_call_id',
      { messages: [user, { role: 'tool', content: 'x' }] },
      'messages[1].tool_call_id',
    ],
    ['a call never answered', { messages: missingCallHistory }, 'messages[1].tool_calls'],
    [
      'call arguments that are not JSON',
      {
        messages: [
          user,
          { role: 'assistant', tool_calls: [call('call_1', '{city')] },
          { role: 'tool', tool_call_id: 'call_1', content: 'x' },
        ],
      },
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'call arguments that are a list',
      {
        messages: [
          user,
          { role: 'assistant', tool_calls: [call('call_1', '[1]')] },
          { role: 'tool', tool_call_id: 'call_1', content: 'x' },
        ],
      },
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'a call id used twice',
      {
        messages: [
          user,
          { role: 'assistant', tool_calls: [call('call_1'), call('call_1')] },
          { role: 'tool', tool_call_id: 'call_1', content: 'x' },
        ],
      },
      'messages[1].tool_calls[1].id',
    ],
    [
      'a call of an unknown type',
      { messages: [user, { role: 'assistant', tool_calls: [{ ...call('call_1'), type: 'web' }] }] },
      'messages[1].tool_calls[0].type',
    ],
    [
      'an assistant message with neither content nor calls',
      { messages: [user, { role: 'assistant', content: null }] },
      'messages[1].content',
    ],
    [
      'a json_schema nested too deep',
      {
        tools: undefined,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: nested(MAX_SCHEMA_DEPTH + 1) },
        },
      },
      'response_format.json_schema.schema',
    ],
    [
      'parameters with too many values',
      {
        tools: [
          { type: 'function', function: { name: 'f', parameters: wide(MAX_SCHEMA_NODES + 1) } },
        ],
      },
      'tools[0].function.parameters',
    ],
    [
      'a json_schema with too many values',
      {
        tools: undefined,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: wide(MAX_SCHEMA_NODES + 1) },
        },
      },
      'response_format.json_schema.schema',
    ],
  ])('refuses %s', (_name, extra, param) => {
    expect(paramFor({ ...base, ...extra })).toBe(param);
  });

  it('measures depth without walking past the limit', () => {
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth(nested(3))).toBe(4);
    expect(jsonDepth(nested(5000))).toBe(MAX_SCHEMA_DEPTH + 1);
  });

  it('counts values without walking past the limit, and accepts a schema at the limit', () => {
    expect(jsonNodeCount({})).toBe(1);
    expect(jsonNodeCount({ type: 'object', properties: { q: { type: 'string' } } })).toBe(5);
    expect(jsonNodeCount(wide(10))).toBe(10);
    expect(jsonNodeCount(wide(1_000_000))).toBe(MAX_SCHEMA_NODES + 1);
    let deep: unknown = {};
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(jsonNodeCount(deep, 50)).toBe(50);
    const atLimit = {
      ...base,
      tools: [{ ...weather, function: { name: 'f', parameters: wide(MAX_SCHEMA_NODES) } }],
    };
    expect(chatCompletionRequestSchema.safeParse(atLimit).success).toBe(true);
  });
});

describe('tool-call deltas', () => {
  it('streams a header with empty arguments, then argument fragments only', () => {
    const deltas = new ToolCallDeltas();
    const first = deltas.piece(0, 'get_weather', '{"ci');
    expect(first).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 0, function: { arguments: '{"ci' } },
    ]);
    expect(deltas.piece(0, 'get_weather', 'ty":"Oslo"}')).toEqual([
      { index: 0, function: { arguments: 'ty":"Oslo"}' } },
    ]);
    const reply = new ChatReply(new Set(['get_weather']));
    reply.add({ tool_calls: [...first, { index: 0, function: { arguments: 'ty":"Oslo"}' } }] });
    expect(reply.message()).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        {
          id: first[0]!.id,
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        },
      ],
    });
  });

  it.each([
    [
      'a fragment before its header',
      [{ index: 0, function: { arguments: '{' } }],
      /starts without/,
    ],
    [
      'an undeclared tool',
      [
        {
          index: 0,
          id: 'call_a',
          type: 'function' as const,
          function: { name: 'rm_rf', arguments: '' },
        },
      ],
      /undeclared/,
    ],
    [
      'a skipped index',
      [
        {
          index: 1,
          id: 'call_a',
          type: 'function' as const,
          function: { name: 'get_weather', arguments: '' },
        },
      ],
      /out of order/,
    ],
    [
      'a repeated header',
      [
        {
          index: 0,
          id: 'call_a',
          type: 'function' as const,
          function: { name: 'get_weather', arguments: '' },
        },
        { index: 0, id: 'call_b', function: { name: 'get_weather', arguments: '' } },
      ],
      /repeats/,
    ],
  ])('refuses %s from a node', (_name, tool_calls, message) => {
    expect(() => new ChatReply(new Set(['get_weather'])).add({ tool_calls })).toThrow(message);
  });
});
