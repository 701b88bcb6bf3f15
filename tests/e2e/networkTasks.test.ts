/**
 * Beyond plain chat, end to end on the generated tiny model with a Qwen2.5-style template,
 * with one real gateway, one enrolled node and a provider that is itself a `byoi-node`:
 * - tool calling with the real `openai` client, the Vercel AI SDK and LangChain JS, on the
 *   provider's own endpoint, the gateway's node route and its upstream route (which passes
 *   tool calls through unchanged): forced calls (`required`, a named function) parse against
 *   the tool's schema, streamed and not; streamed fragments have OpenAI's exact shape; a full
 *   round trip; `tool_choice: none`;
 * - embeddings and text completions through the gateway (LangChain's `OpenAIEmbeddings`
 *   too), on both routes, agreeing with the node's own endpoint, billed, and bad input
 *   refused with a 400 naming the field.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { generateText, jsonSchema, streamText, tool, type JSONSchema7 } from 'ai';
import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../../common/openaiEmbeddings.js';
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
let gateway: OpenAI;
let direct: OpenAI;

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
  gateway = new OpenAI({ baseURL: demo.baseURL, apiKey: demo.apiKey, maxRetries: 0 });
  direct = new OpenAI({
    baseURL: provider.ready.openaiBaseURL,
    apiKey: PROVIDER_KEY,
    maxRetries: 0,
  });
  ways = [
    { name: 'node endpoint', client: direct, headers: {} },
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

// Every way in for the named call; the upstream route passes calls through unchanged, so
// the other cases run on the node's own endpoint and the gateway's node route only.
describe.each([0, 1, 2])('a named tool call, way %i', (way) => {
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
});

describe.each([0, 1])('tool calls, way %i', (way) => {
  const the = () => ways[way]!;

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

const INPUTS = ['hello world', 'the node and the model', 'red blue green'];

interface ReportRow {
  group: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costNanos: number;
}

const via = (route: string) => ({ headers: { 'x-byoi-route': route } });
const close = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((value, index) => Math.abs(value - b[index]!) < 1e-5);

describe.each(['node', 'P'])('through the gateway, route %s', (route) => {
  it('embeds three inputs as floats and as base64 that agree with the node itself', async () => {
    const mine = await direct.embeddings.create({ model: 'tiny', input: INPUTS });
    const floats = await gateway.embeddings.create({ model: 'tiny', input: INPUTS }, via(route));
    const raw = await gateway.embeddings
      .create({ model: 'tiny', input: INPUTS, encoding_format: 'base64' }, via(route))
      .withResponse();
    expect(raw.response.headers.get('x-byoi-route')).toBe(route);
    expect(floats.model).toBe('tiny');
    expect(floats.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(floats.usage.prompt_tokens).toBe(mine.usage.prompt_tokens);
    for (const [index, item] of floats.data.entries()) {
      expect(close(item.embedding, mine.data[index]!.embedding)).toBe(true);
      const encoded = raw.data.data[index]!.embedding as unknown as string;
      expect(close(Array.from(base64ToFloat32(encoded)), item.embedding)).toBe(true);
    }
  });

  it('completes text, whole and streamed, with the usage the node reports', async () => {
    const body = { model: 'tiny', prompt: 'Once upon a', max_tokens: 7, temperature: 0, seed: 5 };
    const mine = await direct.completions.create(body);
    const whole = await gateway.completions.create(body, via(route));
    expect(whole.object).toBe('text_completion');
    expect(whole.choices[0]!.text).toBe(mine.choices[0]!.text);
    expect(whole.choices[0]!.finish_reason).toBe('length');
    expect(whole.usage).toEqual(mine.usage);

    const stream = await gateway.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      via(route),
    );
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(mine.choices[0]!.text);
    expect(finish).toBe('length');
    expect(usage).toEqual(mine.usage);
  });
});

describe('embeddings and completions on the gateway', () => {
  it('bills embeddings on the node route, and LangChain OpenAIEmbeddings works unchanged', async () => {
    const before = await report();
    const langchain = new OpenAIEmbeddings({
      model: 'tiny',
      apiKey: demo.apiKey,
      configuration: { baseURL: demo.baseURL, defaultHeaders: { 'x-byoi-route': 'node' } },
      maxRetries: 0,
    });
    const vectors = await langchain.embedDocuments(INPUTS);
    const query = await langchain.embedQuery(INPUTS[0]!);
    expect(vectors).toHaveLength(3);
    expect(close(query, vectors[0]!)).toBe(true);
    const after = await report();
    const billed = after.promptTokens - before.promptTokens;
    expect(billed).toBeGreaterThan(0);
    expect(after.completionTokens).toBe(before.completionTokens);
    expect(after.costNanos).toBeGreaterThan(before.costNanos);
  });

  it.each(['node', 'P'])(
    'refuses dimensions other than the model size on route %s',
    async (route) => {
      const bad = gateway.embeddings.create(
        { model: 'tiny', input: 'x', dimensions: 3 },
        via(route),
      );
      await expect(bad).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    },
  );

  it.each([
    ['/embeddings', { model: 'tiny', input: '' }, 'input'],
    ['/embeddings', { model: 'tiny', input: [] }, 'input'],
    ['/embeddings', { model: 'tiny', input: ['ok', 7] }, 'input[1]'],
    ['/embeddings', { model: 'tiny', input: 'x', encoding_format: 'hex' }, 'encoding_format'],
    ['/completions', { model: 'tiny', prompt: 'x', suffix: 'y' }, 'suffix'],
    ['/completions', { model: 'tiny', prompt: 'x', n: 2 }, 'n'],
    ['/completions', { model: 'tiny', prompt: 'x', echo: true }, 'echo'],
    ['/completions', { model: 'tiny', prompt: ['a', 'b'] }, 'prompt'],
  ])('refuses a bad %s body with a 400 naming %j', async (path, body, param) => {
    const response = await fetch(`${demo.baseURL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.apiKey}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { param: string } };
    expect(json.error.param).toBe(param);
  });
});

async function report(): Promise<ReportRow> {
  const rows = (
    await demo.admin<{ data: ReportRow[] }>('GET', `/usage/report?orgId=${demo.orgId}&by=route`)
  ).data;
  return (
    rows.find((row) => row.group === 'node') ?? {
      group: 'node',
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      costNanos: 0,
    }
  );
}
