/**
 * Tool calls over real links with stand-in nodes: a job that needs tools goes only to a node
 * that announced them, a request no node can serve is a 400 naming the field, and a node
 * that streams a tool call out of shape, or one the request never declared, is stopped and
 * the request served elsewhere. Usage is bounded by the tool-call text relayed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolCallDeltas, type ToolCallDelta } from '../../common/chatDelta.js';
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
