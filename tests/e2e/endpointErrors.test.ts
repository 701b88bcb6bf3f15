/**
 * Bad input and overload against the real `byoi-node`: malformed requests get OpenAI's
 * error shape and the process keeps serving; a full queue is a 503; a client that goes away
 * frees its slot.
 */
import { request } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type NodeProcess } from '../support/nodeProcess.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let node: NodeProcess;
let client: OpenAI;
let url: string;

beforeAll(async () => {
  model = createTempModel();
  // One slot and no queue, so that a second concurrent request is refused at once.
  node = await startNode(['--model', model.path, '--parallel', '1', '--queue', '0']);
  url = `${node.ready.openaiBaseURL}/chat/completions`;
  client = new OpenAI({ baseURL: node.ready.openaiBaseURL, apiKey: 'local', maxRetries: 0 });
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  model?.cleanup();
});

const user = [{ role: 'user', content: 'hi' }];

interface BadCase {
  name: string;
  body: string | object;
  status: number;
  param?: string | null;
  code?: string;
  contentType?: string;
}

const badCases: BadCase[] = [
  { name: 'not JSON', body: '{"model": "tiny", ', status: 400 },
  { name: 'empty body', body: '', status: 400 },
  { name: 'JSON array', body: [], status: 400, param: null },
  { name: 'JSON string', body: '"hello"', status: 400, param: null },
  {
    name: 'missing model',
    body: { messages: user },
    status: 400,
    param: 'model',
    code: 'missing_required_parameter',
  },
  { name: 'model not a string', body: { model: 5, messages: user }, status: 400, param: 'model' },
  {
    name: 'missing messages',
    body: { model: 'tiny' },
    status: 400,
    param: 'messages',
    code: 'missing_required_parameter',
  },
  {
    name: 'messages not an array',
    body: { model: 'tiny', messages: 'hi' },
    status: 400,
    param: 'messages',
  },
  { name: 'empty messages', body: { model: 'tiny', messages: [] }, status: 400, param: 'messages' },
  {
    name: 'message without role',
    body: { model: 'tiny', messages: [{ content: 'x' }] },
    status: 400,
    param: 'messages[0].role',
  },
  {
    name: 'unknown role',
    body: { model: 'tiny', messages: [{ role: 'wizard', content: 'x' }] },
    status: 400,
    param: 'messages[0].role',
  },
  {
    name: 'content a number',
    body: { model: 'tiny', messages: [{ role: 'user', content: 3 }] },
    status: 400,
    param: 'messages[0].content',
  },
  {
    name: 'image content part',
    body: {
      model: 'tiny',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    },
    status: 400,
    param: 'messages[0].content[0].type',
  },
  {
    name: 'text part without text',
    body: { model: 'tiny', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
    status: 400,
    param: 'messages[0].content[0].text',
  },
  {
    name: 'temperature above 2',
    body: { model: 'tiny', messages: user, temperature: 2.5 },
    status: 400,
    param: 'temperature',
  },
  {
    name: 'negative temperature',
    body: { model: 'tiny', messages: user, temperature: -1 },
    status: 400,
    param: 'temperature',
  },
  {
    name: 'top_p above 1',
    body: { model: 'tiny', messages: user, top_p: 1.5 },
    status: 400,
    param: 'top_p',
  },
  {
    name: 'max_tokens zero',
    body: { model: 'tiny', messages: user, max_tokens: 0 },
    status: 400,
    param: 'max_tokens',
  },
  {
    name: 'max_tokens fractional',
    body: { model: 'tiny', messages: user, max_tokens: 2.5 },
    status: 400,
    param: 'max_tokens',
  },
  {
    name: 'max_completion_tokens a string',
    body: { model: 'tiny', messages: user, max_completion_tokens: '9' },
    status: 400,
    param: 'max_completion_tokens',
  },
  { name: 'n = 2', body: { model: 'tiny', messages: user, n: 2 }, status: 400, param: 'n' },
  {
    name: 'stop a number',
    body: { model: 'tiny', messages: user, stop: 4 },
    status: 400,
    param: 'stop',
  },
  {
    name: 'five stop sequences',
    body: { model: 'tiny', messages: user, stop: ['a', 'b', 'c', 'd', 'e'] },
    status: 400,
    param: 'stop',
  },
  {
    name: 'seed fractional',
    body: { model: 'tiny', messages: user, seed: 1.5 },
    status: 400,
    param: 'seed',
  },
  {
    name: 'stream a string',
    body: { model: 'tiny', messages: user, stream: 'yes' },
    status: 400,
    param: 'stream',
  },
  {
    name: 'stream_options without stream',
    body: { model: 'tiny', messages: user, stream_options: { include_usage: true } },
    status: 400,
    param: 'stream_options',
  },
  {
    name: 'unknown response_format',
    body: { model: 'tiny', messages: user, response_format: { type: 'xml' } },
    status: 400,
    param: 'response_format.type',
  },
  {
    name: 'json_schema without schema',
    body: {
      model: 'tiny',
      messages: user,
      response_format: { type: 'json_schema', json_schema: { name: 'x' } },
    },
    status: 400,
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'json_schema the grammar cannot express',
    body: {
      model: 'tiny',
      messages: user,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', schema: { oneOf: 'not a list' } },
      },
    },
    status: 400,
    param: 'response_format.json_schema.schema',
  },
  {
    name: 'a tool_choice naming a missing tool',
    body: {
      model: 'tiny',
      messages: user,
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: { type: 'function', function: { name: 'g' } },
    },
    status: 400,
    param: 'tool_choice.function.name',
  },
  {
    name: 'tool parameters the grammar compiler refuses',
    body: {
      model: 'tiny',
      messages: user,
      tools: [
        { type: 'function', function: { name: 'f' } },
        { type: 'function', function: { name: 'g', parameters: { oneOf: 'not a list' } } },
      ],
    },
    status: 400,
    param: 'tools[1].function.parameters',
  },
  {
    name: 'logprobs',
    body: { model: 'tiny', messages: user, logprobs: true },
    status: 400,
    param: 'logprobs',
  },
  {
    name: 'unknown model',
    body: { model: 'gpt-9', messages: user },
    status: 404,
    param: 'model',
    code: 'model_not_found',
  },
  {
    name: 'prompt longer than the context',
    body: { model: 'tiny', messages: [{ role: 'user', content: 'the '.repeat(3000) }] },
    status: 400,
    param: 'messages',
    code: 'context_length_exceeded',
  },
  {
    name: 'max_tokens beyond the context',
    body: { model: 'tiny', messages: user, max_tokens: 100000 },
    status: 400,
    code: 'context_length_exceeded',
  },
  { name: 'text/plain body', body: 'hello', status: 415, contentType: 'text/plain' },
];

describe('malformed requests', () => {
  it.each(badCases)(
    '$name → $status in the OpenAI error shape',
    async ({ body, status, param, code, contentType }) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': contentType ?? 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(response.status).toBe(status);
      const json = (await response.json()) as { error: Record<string, unknown> };
      expect(Object.keys(json)).toEqual(['error']);
      expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(typeof json.error.message).toBe('string');
      expect(json.error.type).toBe('invalid_request_error');
      if (param !== undefined) expect(json.error.param).toBe(param);
      if (code !== undefined) expect(json.error.code).toBe(code);
    },
  );

  it.each(['evil.example', `evil.example:${'PORT'}`, 'localhost:1'])(
    'refuses the Host %j (DNS rebinding) with a 403',
    async (badHost) => {
      const { port } = new URL(url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          url.replace('/chat/completions', '/models'),
          { headers: { host: badHost.replace('PORT', port) } },
          (res) => {
            let body = '';
            res.on('data', (part: Buffer) => (body += String(part)));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error.code).toBe('host_not_allowed');
    },
  );

  it('answers unknown routes with a 404 in the same shape', async () => {
    const response = await fetch(`${node.ready.openaiBaseURL}/audio/speech`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
  });

  it('is still serving after all of them', async () => {
    const completion = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'still there?' }],
      max_tokens: 4,
    });
    expect(completion.usage!.completion_tokens).toBe(4);
    expect(node.child.exitCode).toBeNull();
  });
});

describe('capacity', () => {
  it('answers 503 when every slot is busy and the queue is full, and frees the slot when the client goes away', async () => {
    const abort = new AbortController();
    const long = await client.chat.completions.create(
      {
        model: 'tiny',
        messages: [{ role: 'user', content: 'a long story' }],
        max_tokens: 1900,
        stream: true,
      },
      { signal: abort.signal },
    );
    const iterator = long[Symbol.asyncIterator]();
    await iterator.next(); // generation has started: the only slot is taken

    const refused = await client.chat.completions
      .create({
        model: 'tiny',
        messages: user as OpenAI.ChatCompletionMessageParam[],
        max_tokens: 2,
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((refused as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');

    const cancelled = node.waitForLog((line) => line.msg === 'request cancelled');
    abort.abort();
    await cancelled;
    const after = await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'my turn' }],
      max_tokens: 3,
    });
    expect(after.choices[0]!.finish_reason).toBe('length');
  });
});
