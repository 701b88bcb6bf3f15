import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  chatCompletionRequestSchema,
  messageText,
  requestedMaxTokens,
  stopSequences,
  usageOf,
  type ChatCompletionRequest,
} from '../../common/openai.js';
import { ApiError, apiErrorFromZod, paramPath, toApiError } from '../../common/openaiErrors.js';

const minimal = { model: 'tiny', messages: [{ role: 'user', content: 'hi' }] };

function parse(body: unknown): ChatCompletionRequest {
  return chatCompletionRequestSchema.parse(body);
}

/** A `messages` field with one user message of the given content. */
function user(content: unknown) {
  return { messages: [{ role: 'user', content }] };
}

/** The ApiError for a body the schema must refuse. */
function errorFor(body: unknown): ApiError {
  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) throw new Error(`expected ${JSON.stringify(body)} to be refused`);
  return apiErrorFromZod(result.error, body);
}

describe('chatCompletionRequestSchema', () => {
  it('accepts a minimal request', () => {
    expect(parse(minimal)).toMatchObject(minimal);
  });

  it('accepts string content and text-part content', () => {
    const request = parse({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'developer', content: [{ type: 'text', text: 'really' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
          name: 'ann',
        },
        { role: 'assistant', content: 'ok' },
      ],
    });
    expect(request.messages.map(messageText)).toEqual(['be brief', 'really', 'ab', 'ok']);
  });

  it('accepts unknown extra fields', () => {
    expect(() =>
      parse({ ...minimal, user: 'u-1', metadata: { a: 'b' }, service_tier: 'auto' }),
    ).not.toThrow();
  });

  it('accepts null for every optional field', () => {
    const optional =
      'stream stream_options temperature top_p seed stop max_tokens max_completion_tokens n presence_penalty frequency_penalty response_format tools logprobs';
    const nulls = Object.fromEntries(optional.split(' ').map((key) => [key, null]));
    const request = parse({ ...minimal, ...nulls });
    expect(requestedMaxTokens(request)).toBeUndefined();
    expect(stopSequences(request)).toEqual([]);
  });

  it.each([
    [
      'stream_options without stream',
      { stream_options: { include_usage: true } },
      'stream_options',
    ],
    ['n other than 1', { n: 2 }, 'n'],
    ['a tool without its function', { tools: [{ type: 'function' }] }, 'tools[0].function'],
    ['logprobs', { logprobs: true }, 'logprobs'],
    ['empty messages', { messages: [] }, 'messages'],
    ['too many stops', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    ['bad role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
  ])('refuses %s', (_name, extra, param) => {
    expect(errorFor({ ...minimal, ...extra }).param).toBe(param);
  });
});

describe('request helpers', () => {
  it('messageText joins text parts and skips parts without string text', () => {
    expect(messageText({ role: 'user', content: 'plain' })).toBe('plain');
    expect(
      messageText({
        role: 'user',
        content: [{ type: 'text', text: 'x' }, { type: 'text' }, { type: 'text', text: 'y' }],
      }),
    ).toBe('xy');
  });

  it.each([
    [{}, undefined],
    [{ max_tokens: 10 }, 10],
    [{ max_completion_tokens: 20 }, 20],
    [{ max_tokens: 10, max_completion_tokens: 20 }, 20],
    [{ max_tokens: 10, max_completion_tokens: null }, 10],
  ])('requestedMaxTokens(%j) → %s', (extra, expected) => {
    expect(requestedMaxTokens(parse({ ...minimal, ...extra }))).toBe(expected);
  });

  it.each([
    [{}, []],
    [{ stop: 'END' }, ['END']],
    [{ stop: ['a', 'b'] }, ['a', 'b']],
  ])('stopSequences(%j) → %j', (extra, expected) => {
    expect(stopSequences(parse({ ...minimal, ...extra }))).toEqual(expected);
  });

  it('usageOf adds up the total', () => {
    expect(usageOf(7, 5)).toEqual({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
    expect(usageOf(0, 0)).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

describe('apiErrorFromZod', () => {
  const twoMessages = {
    messages: [
      { role: 'user', content: 'ok' },
      ...user([{ type: 'text', text: 'a' }, { type: 'audio' }]).messages,
    ],
  };
  // prettier-ignore
  it.each([
    ['an unsupported content part', user([{ type: 'image_url' }]), 'messages[0].content[0].type'],
    ['a text part without text', user([{ type: 'text' }]), 'messages[0].content[0].text'],
    ['a bad part in a later message', twoMessages, 'messages[1].content[1].type'],
    ['content of the wrong type', user(5), 'messages[0].content'],
    ['an unknown response_format', { response_format: { type: 'xml' } }, 'response_format.type'],
    ['temperature out of range', { temperature: 3 }, 'temperature'],
  ])('names the param for %s', (_name, extra, param) => {
    const error = errorFor({ ...minimal, ...extra });
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.message).toContain(`'${param}'`);
    // The text part lacks `text` altogether; the others carry a wrong value.
    expect(error.code).toBe(param.endsWith('.text') ? 'missing_required_parameter' : 'invalid_value');
    if (param.endsWith('[0].type')) expect(error.message).toContain('image_url');
  });

  it.each([
    ['model', { messages: minimal.messages }],
    ['messages', { model: 'tiny' }],
    ['response_format.json_schema', { ...minimal, response_format: { type: 'json_schema' } }],
  ])('uses missing_required_parameter for a missing %s', (param, body) => {
    const error = errorFor(body);
    expect(error).toMatchObject({ param, code: 'missing_required_parameter' });
  });

  it.each([
    ['temperature', { temperature: 3 }],
    ['top_p', { top_p: 0 }],
    ['max_tokens', { max_tokens: 0 }],
    ['stop', { stop: '' }],
  ])('uses invalid_value for a bad %s', (param, extra) => {
    expect(errorFor({ ...minimal, ...extra })).toMatchObject({ param, code: 'invalid_value' });
  });

  it.each([
    ['temperature', 'invalid_value', { ...minimal, temperature: 'hot' }],
    [
      'messages[0].role',
      'missing_required_parameter',
      { model: 'tiny', messages: [{ content: 'x' }] },
    ],
    [
      'messages[0].content',
      'missing_required_parameter',
      { model: 'tiny', messages: [{ role: 'user' }] },
    ],
  ])('classifies %s as %s', (param, code, body) => {
    expect(errorFor(body)).toMatchObject({ param, code });
  });

  it('falls back to a generic 400 for an error without issues', () => {
    const error = apiErrorFromZod(new z.ZodError([]));
    expect(error).toMatchObject({ status: 400, param: null, code: 'invalid_value' });
  });
});

describe('paramPath', () => {
  it.each([
    [[], null],
    [['model'], 'model'],
    [['messages', 0, 'content'], 'messages[0].content'],
    [['messages', 0, 'content', 2, 'type'], 'messages[0].content[2].type'],
    [['response_format', 'json_schema', 'name'], 'response_format.json_schema.name'],
    [[0, 'a'], '[0].a'],
  ])('%j → %j', (path, expected) => {
    expect(paramPath(path)).toBe(expected);
  });
});

describe('toApiError', () => {
  it('passes an ApiError through unchanged', () => {
    const original = ApiError.modelNotFound('nope');
    expect(toApiError(original)).toBe(original);
  });

  it('turns a ZodError into a 400 naming the field', () => {
    const result = chatCompletionRequestSchema.safeParse({ ...minimal, temperature: 9 });
    expect(result.success).toBe(false);
    const error = toApiError(result.error);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      param: 'temperature',
    });
  });

  it.each([
    [413, 'request_too_large'],
    [400, 'invalid_request'],
    [415, 'invalid_request'],
  ])('keeps a framework error with statusCode %i', (statusCode, code) => {
    const error = toApiError(Object.assign(new Error('Body is too large'), { statusCode }));
    expect(error).toMatchObject({
      status: statusCode,
      type: 'invalid_request_error',
      code,
      message: 'Body is too large',
    });
  });

  const secret = 'database password is hunter2';
  it.each([
    ['a plain Error', new Error(secret)],
    ['a 5xx framework error', Object.assign(new Error(secret), { statusCode: 502 })],
    ['a non-Error with statusCode', { statusCode: 413, message: secret }],
    ['a string', secret],
    ['null', null],
    ['undefined', undefined],
  ])('turns %s into a 500 that reveals nothing', (_name, thrown) => {
    const error = toApiError(thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 500, type: 'server_error' });
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error.toBody())).not.toContain('hunter2');
  });
});

describe('ApiError.toBody', () => {
  it('has exactly the OpenAI error shape', () => {
    const body = ApiError.invalidRequest('bad temperature', 'temperature').toBody();
    expect(body).toStrictEqual({
      error: {
        message: 'bad temperature',
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      },
    });
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  // prettier-ignore
  it.each([
    [ApiError.overloaded('busy'), 503, 'busy', 'server_error', null, 'overloaded'],
    [ApiError.internal(), 500, expect.any(String), 'server_error', null, 'internal_error'],
    [ApiError.modelNotFound('ghost'), 404, expect.stringContaining('ghost'), 'invalid_request_error', 'model', 'model_not_found'],
    [new ApiError(418, 'teapot', 'custom_type'), 418, 'teapot', 'custom_type', null, null],
  ])('%# factory builds status and body', (error, status, message, type, param, code) => {
    expect(error.status).toBe(status);
    expect(error.toBody()).toStrictEqual({ error: { message, type, param, code } });
    expect(error.name).toBe('ApiError');
  });
});
