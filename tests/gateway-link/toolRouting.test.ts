/**
 * Tool calls over real links with stand-in nodes: a job that needs tools goes only to a node
 * that announced them, a request no node can serve is a 400 naming the field, and a node
 * that streams a tool call out of shape, or one the request never declared, is stopped and
 * the request served elsewhere. Usage is bounded by the tool-call text relayed. A schema
 * nested too deep or too large is a 400 at validation: no node is offered it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolCallDeltas, type ToolCallDelta } from '../../common/chatDelta.js';
import { MAX_SCHEMA_DEPTH, MAX_SCHEMA_NODES } from '../../common/openaiTools.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let m = '';
let serial = 0;

beforeAll(async () => {
  t = await startTestGateway({ offerTimeoutMs: 1000 });
});

afterAll(async () => {
  await t?.close();
});

beforeEach(() => {
  m = `tools-${++serial}`;
});

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
    },
  },
];
const withTools = (stream = false) =>
  t.client.chat.completions.create({
    model: m,
    messages: USER,
    tools,
    tool_choice: 'required',
    stream,
  } as never);

const capable = (id: string) => model(id, { capabilities: ['tools', 'json_schema'] });

describe('tool routing', () => {
  it('offers a tools job only to a node that announced tools, and relays its call', async () => {
    const plain = await t.connectNode([model(m)]);
    const able = await t.connectNode([capable(m)]);
    const pending = withTools();
    const offer = await able.link.acceptNext();
    expect(plain.link.pending().filter((frame) => frame.type === 'job.offer')).toEqual([]);
    expect(offer.request!.tools?.[0]?.function.name).toBe('lookup');
    const deltas = new ToolCallDeltas();
    const sent = [...deltas.piece(0, 'lookup', '{"q":'), ...deltas.piece(0, 'lookup', '"x"}')];
    able.link.toolCalls(offer.jobId, sent);
    // Reported 500 completion tokens: billed at most the relayed call text plus the allowance.
    able.link.done(offer.jobId, { promptTokens: 9, completionTokens: 500 }, 5, 'tool_calls');
    const reply = (await pending) as {
      choices: { finish_reason: string; message: { content: unknown; tool_calls: unknown[] } }[];
      usage: { completion_tokens: number };
    };
    expect(reply.choices[0]!.finish_reason).toBe('tool_calls');
    expect(reply.choices[0]!.message.content).toBeNull();
    expect(reply.choices[0]!.message.tool_calls).toEqual([
      { id: sent[0]!.id, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
    ]);
    expect(reply.usage.completion_tokens).toBe('lookup{"q":"x"}'.length + 16);
  });

  it('refuses with 400 unsupported_parameter when no node serving the model can call tools', async () => {
    await t.connectNode([model(m)]);
    await expect(withTools()).rejects.toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
      param: 'tools',
    });
  });

  it.each([
    [
      'an undeclared tool',
      [{ index: 0, id: 'call_x1', type: 'function', function: { name: 'rm', arguments: '' } }],
    ],
    ['a fragment before its header', [{ index: 0, function: { arguments: '{}' } }]],
  ] as [string, ToolCallDelta[]][])(
    'stops a node that streams %s and serves the request elsewhere',
    async (_name, bad) => {
      // The liar is cheaper, so it gets the job first.
      const liar = await t.connectNode([
        model(m, { capabilities: ['tools'], price: { prompt: 0.1, completion: 0.1 } }),
      ]);
      const honest = await t.connectNode([capable(m)]);
      const pending = withTools();
      const offer = await liar.link.acceptNext();
      liar.link.toolCalls(offer.jobId, bad);
      // The liar's job is cancelled, and the honest node gets the retry.
      const cancel = await liar.link.next('job.cancel');
      expect(cancel.jobId).toBe(offer.jobId);
      const retry = await honest.link.acceptNext();
      const good = new ToolCallDeltas().piece(0, 'lookup', '{}');
      honest.link.toolCalls(retry.jobId, good);
      honest.link.done(retry.jobId, { promptTokens: 9, completionTokens: 3 }, 5, 'tool_calls');
      const reply = (await pending) as {
        choices: { message: { tool_calls: { function: { name: string } }[] } }[];
      };
      expect(reply.choices[0]!.message.tool_calls[0]!.function.name).toBe('lookup');
    },
  );
});

/** `{type: 'object', properties: {a: …}}`, `levels` objects deep, as JSON text. */
const deepSchema = (levels: number): string =>
  '{"type":"object","properties":{"a":'.repeat(levels - 1) +
  '{"type":"string"}' +
  '}}'.repeat(levels - 1);
/** A flat schema of more values than allowed. */
const wideSchema = () =>
  JSON.stringify({ enum: Array.from({ length: MAX_SCHEMA_NODES }, (_, i) => i) });
/** A request body with `schema` (JSON text) where `at` says. */
const bodyWith = (at: 'parameters' | 'json_schema', schema: string) =>
  JSON.stringify({
    model: m,
    messages: USER,
    ...(at === 'parameters'
      ? { tools: [{ type: 'function', function: { name: 'f', parameters: '@schema' } }] }
      : {
          response_format: { type: 'json_schema', json_schema: { name: 'x', schema: '@schema' } },
        }),
  }).replace('"@schema"', schema);

describe('schema limits', () => {
  const toolsParam = 'tools[0].function.parameters';
  const formatParam = 'response_format.json_schema.schema';
  it.each([
    ['parameters nested too deep', 'parameters', deepSchema(MAX_SCHEMA_DEPTH + 1), toolsParam],
    // Deeper than a recursive walk (or JSON.stringify) could go on this thread's stack.
    ['parameters nested 40000 levels', 'parameters', deepSchema(40_000), toolsParam],
    ['parameters with too many values', 'parameters', wideSchema(), toolsParam],
    ['a json_schema nested too deep', 'json_schema', deepSchema(MAX_SCHEMA_DEPTH + 1), formatParam],
    ['a json_schema with too many values', 'json_schema', wideSchema(), formatParam],
  ] as const)(
    'refuses %s with a 400 naming it, and offers nothing to a node',
    async (_name, at, schema, param) => {
      // One slot: the refused request must not hold it.
      const { link } = await t.connectNode([
        model(m, { capabilities: ['tools', 'json_schema'], slots: 1 }),
      ]);
      const response = await t.post('/v1/chat/completions', bodyWith(at, schema));
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param });
      await link.sync();
      expect(link.pending()).toEqual([]);
      const served = withTools();
      await link.serveNext(['ok']);
      await expect(served).resolves.toMatchObject({ choices: [{ message: { content: 'ok' } }] });
    },
  );

  it('accepts a schema within the limits', async () => {
    const { link } = await t.connectNode([model(m, { capabilities: ['tools', 'json_schema'] })]);
    const response = t.post(
      '/v1/chat/completions',
      bodyWith('parameters', deepSchema(MAX_SCHEMA_DEPTH / 2)),
    );
    await link.serveNext(['ok']);
    expect((await response).status).toBe(200);
  });
});
