/**
 * Tool calling end to end on the generated tiny model with a Qwen2.5-style template: the
 * real `openai` client, the Vercel AI SDK and LangChain JS against a real `byoi-node` (its
 * local endpoint), a real gateway's node route, and the gateway's upstream route to a
 * provider that is itself a `byoi-node` (tool calls pass through unchanged). Forced calls
 * (`required`, a named function) parse against the tool's schema, streamed and not; streamed
 * fragments have OpenAI's exact shape; a full round trip; `tool_choice: none`.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, jsonSchema, streamText, tool, type JSONSchema7 } from 'ai';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../demo/startDemo.js';
import { startNode, type NodeProcess } from '../support/nodeProcess.js';

const PROVIDER_KEY = 'sk-tools-provider';

const weatherParams = {
  type: 'object',
  properties: {
    city: { type: 'string', enum: ['Paris', 'Lima', 'Oslo'] },
    days: { type: 'integer' },
    units: { type: 'string', enum: ['c', 'f'] },
  },
  required: ['city', 'days', 'units'],
  additionalProperties: false,
} satisfies JSONSchema7;
const timeParams = {
  type: 'object',
  properties: { zone: { type: 'string', enum: ['utc', 'cet'] } },
  required: ['zone'],
  additionalProperties: false,
} satisfies JSONSchema7;

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'The forecast', parameters: weatherParams },
  },
  { type: 'function', function: { name: 'get_time', parameters: timeParams } },
];
const schemas: Record<string, object> = { get_weather: weatherParams, get_time: timeParams };
const ajv = new Ajv();

let demo: Demo;
let provider: NodeProcess;
/** The three ways in: the node's own endpoint, the gateway's node route, its upstream route. */
let ways: { name: string; client: OpenAI; headers: Record<string, string> }[];

beforeAll(async () => {
  demo = await startDemo({ nodes: 1, template: 'tools' });
  provider = await startNode(['--model', demo.modelPath, '--api-key', PROVIDER_KEY, '--no-link']);
  await demo.admin('POST', '/providers', {
    name: 'P',
    baseUrl: provider.ready.openaiBaseURL,
    apiKeys: [PROVIDER_KEY],
    models: { tiny: 'tiny' },
    price: { prompt: 0.5, completion: 1 },
  });
  const gateway = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
  ways = [
    {
      name: 'node endpoint',
      client: new OpenAI({
        baseURL: provider.ready.openaiBaseURL,
        apiKey: PROVIDER_KEY,
        maxRetries: 0,
      }),
      headers: {},
    },
    { name: 'gateway node route', client: gateway, headers: { 'x-byoi-route': 'node' } },
    { name: 'gateway upstream route', client: gateway, headers: { 'x-byoi-route': 'P' } },
  ];
});

afterAll(async () => {
  await provider?.stop();
  await demo?.stop();
});

const ask = { model: 'tiny', temperature: 0, seed: 3, max_tokens: 80 } as const;
const question: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'What is the weather in Paris?' },
];

function expectValidCall(call: { function: { name: string; arguments: string } }, name?: string) {
  if (name) expect(call.function.name).toBe(name);
  const args: unknown = JSON.parse(call.function.arguments);
  const validate = ajv.compile(schemas[call.function.name]!);
  expect(validate(args), JSON.stringify(validate.errors)).toBe(true);
}

/** Streams a request and checks OpenAI's tool-call delta shape; returns the calls joined. */
async function streamCalls(client: OpenAI, body: object, headers: Record<string, string>) {
  const stream = await client.chat.completions.create(
    {
      ...ask,
      ...body,
      messages: question,
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming,
    { headers },
  );
  const calls: { id: string; function: { name: string; arguments: string } }[] = [];
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    finish = choice.finish_reason ?? finish;
    for (const delta of choice.delta.tool_calls ?? []) {
      if (delta.index === calls.length) {
        // The first fragment: index, id, type, name and empty arguments.
        expect(delta).toEqual({
          index: calls.length,
          id: expect.stringMatching(/^call_[A-Za-z0-9]+$/),
          type: 'function',
          function: { name: expect.any(String), arguments: '' },
        });
        calls.push({ id: delta.id!, function: { name: delta.function!.name!, arguments: '' } });
      } else {
        // Every later one: only index and arguments.
        expect(delta).toEqual({
          index: calls.length - 1,
          function: { arguments: expect.any(String) },
        });
        calls[delta.index]!.function.arguments += delta.function!.arguments;
      }
    }
  }
  return { calls, finish };
}

describe.each([0, 1, 2])('tool calls, way %i', (way) => {
  const the = () => ways[way]!;

  it('makes the named call, whole and streamed, with arguments that match the schema', async () => {
    const { client, headers } = the();
    const tool_choice = { type: 'function', function: { name: 'get_weather' } } as const;
    const whole = await client.chat.completions.create(
      { ...ask, messages: question, tools, tool_choice },
      { headers },
    );
    const choice = whole.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe('function');
    expectValidCall(call, 'get_weather');
    expect(whole.usage!.completion_tokens).toBeGreaterThan(0);

    const streamed = await streamCalls(client, { tools, tool_choice }, headers);
    expect(streamed.finish).toBe('tool_calls');
    expect(streamed.calls).toHaveLength(1);
    expectValidCall(streamed.calls[0]!, 'get_weather');
    // Greedy and seeded: the stream carries exactly the whole answer's arguments.
    expect(streamed.calls[0]!.function.arguments).toBe(call.function.arguments);
  });

  it("with 'required' calls one of the tools, streamed", async () => {
    const { client, headers } = the();
    const streamed = await streamCalls(client, { tools, tool_choice: 'required' }, headers);
    expect(streamed.finish).toBe('tool_calls');
    expect(streamed.calls.length).toBeGreaterThanOrEqual(1);
    for (const call of streamed.calls) expectValidCall(call);
  });

  it("answers in text with tool_choice 'none'", async () => {
    const { client, headers } = the();
    const reply = await client.chat.completions.create(
      { ...ask, max_tokens: 8, messages: question, tools, tool_choice: 'none' },
      { headers },
    );
    expect(reply.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(reply.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(reply.usage!.completion_tokens).toBe(8);
  });

  it('completes a round trip: call, tool result, then the answer', async () => {
    const { client, headers } = the();
    const first = await client.chat.completions.create(
      { ...ask, messages: question, tools, tool_choice: 'required' },
      { headers },
    );
    const assistant = first.choices[0]!.message;
    const call = assistant.tool_calls![0]!;
    const answer = await client.chat.completions.create(
      {
        ...ask,
        max_tokens: 8,
        tools,
        messages: [
          ...question,
          assistant,
          { role: 'tool', tool_call_id: call.id, content: '{"sky":"clear","high":21}' },
        ],
      },
      { headers },
    );
    const choice = answer.choices[0]!;
    expect(['stop', 'length', 'tool_calls']).toContain(choice.finish_reason);
    // The conversation, with the call and its result, is part of the prompt.
    expect(answer.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
  });
});

describe('other clients', () => {
  it('the AI SDK gets a typed tool call, whole and streamed, through the gateway', async () => {
    const openai = createOpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey });
    const weather = tool({
      description: 'The forecast',
      inputSchema: jsonSchema<{ city: string; days: number; units: string }>(weatherParams),
    });
    const result = await generateText({
      model: openai.chat('tiny'),
      prompt: 'Weather in Lima?',
      tools: { get_weather: weather },
      toolChoice: { type: 'tool', toolName: 'get_weather' },
      maxOutputTokens: 80,
      temperature: 0,
      maxRetries: 0,
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]!.toolName).toBe('get_weather');
    expect(ajv.validate(weatherParams, result.toolCalls[0]!.input)).toBe(true);

    const streamed = streamText({
      model: openai.chat('tiny'),
      prompt: 'Weather in Oslo?',
      tools: { get_weather: weather },
      toolChoice: 'required',
      maxOutputTokens: 80,
      temperature: 0,
      maxRetries: 0,
    });
    const calls = await streamed.toolCalls;
    expect(calls).toHaveLength(1);
    expect(ajv.validate(weatherParams, calls[0]!.input)).toBe(true);
  });

  it('LangChain ChatOpenAI with bound tools gets the call', async () => {
    const llm = new ChatOpenAI({
      model: 'tiny',
      apiKey: demo.apiKey,
      configuration: { baseURL: demo.baseURL },
      temperature: 0,
      maxTokens: 80,
      maxRetries: 0,
    });
    const message = await llm.bindTools(tools, { tool_choice: 'get_time' }).invoke('Time?');
    expect(message.tool_calls).toHaveLength(1);
    expect(message.tool_calls![0]!.name).toBe('get_time');
    expect(ajv.validate(timeParams, message.tool_calls![0]!.args)).toBe(true);
  });
});
