/** The `continuation` of a `job.offer`: its schema, how nodes decode it, and how it reaches generation. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Token } from 'node-llama-cpp';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { gatewayFrameSchema, type GatewayFrame, type NodeFrame } from '../../common/protocol.js';
import { silentLogger } from '../../common/log.js';
import { decodeGatewayFrame } from '../../main/engine/link/frames.js';
import { JobRunner, type LinkModelHost } from '../../main/engine/link/jobRunner.js';
import type { GenerationCallbacks } from '../../main/engine/inference/modelHost.js';
import { ContinuationFirstChunk, toChatHistory } from '../../main/engine/inference/chatRequest.js';

const PRICE = { prompt: 0.1, completion: 0.2 };
const request = chatCompletionRequestSchema.parse({
  model: 'tiny',
  messages: [{ role: 'user', content: 'tell me a story' }],
  max_tokens: 10,
});
const offer = (extra: object = {}) => ({
  type: 'job.offer',
  jobId: 'job-1',
  request,
  price: PRICE,
  ...extra,
});

describe('job.offer continuation', () => {
  it('is optional, and carries the text already sent', () => {
    expect(gatewayFrameSchema.parse(offer())).not.toHaveProperty('continuation');
    const parsed = gatewayFrameSchema.parse(offer({ continuation: { text: 'Once upon' } }));
    expect(parsed).toMatchObject({ continuation: { text: 'Once upon' } });
  });

  it('refuses a text over 256 KiB, or one that is not a string', () => {
    const long = 'a'.repeat(256 * 1024 + 1);
    expect(gatewayFrameSchema.safeParse(offer({ continuation: { text: long } })).success).toBe(
      false,
    );
    expect(
      gatewayFrameSchema.safeParse(offer({ continuation: { text: 'a'.repeat(256 * 1024) } }))
        .success,
    ).toBe(true);
    expect(gatewayFrameSchema.safeParse(offer({ continuation: 'Once' })).success).toBe(false);
    expect(gatewayFrameSchema.safeParse(offer({ continuation: {} })).success).toBe(false);
  });

  it('is decoded by the node, which names the field when it is bad', () => {
    const good = decodeGatewayFrame(
      Buffer.from(JSON.stringify(offer({ continuation: { text: 'Once' } }))),
      false,
    );
    expect(good).toMatchObject({ ok: true, frame: { continuation: { text: 'Once' } } });
    const bad = decodeGatewayFrame(
      Buffer.from(JSON.stringify(offer({ continuation: { text: 7 } }))),
      false,
    );
    expect(bad).toMatchObject({ ok: false, fault: { code: 4000 } });
    if (!bad.ok) expect(bad.fault.reason).toContain('continuation.text');
  });

  it('is stripped, not refused, by a node whose offer schema predates it', () => {
    // The v1 offer as nodes built before `continuation` parse it (zod objects strip unknown keys).
    const oldOffer = z.object({
      type: z.literal('job.offer'),
      jobId: z.string(),
      request: chatCompletionRequestSchema,
      price: z.object({ prompt: z.number(), completion: z.number() }),
    });
    const parsed = oldOffer.parse(offer({ continuation: { text: 'Once upon' } }));
    expect(parsed).not.toHaveProperty('continuation');
    expect(parsed.jobId).toBe('job-1');
    // And the current schema strips fields that are newer still.
    expect(gatewayFrameSchema.parse(offer({ futureField: 1 }))).not.toHaveProperty('futureField');
  });
});

describe('toChatHistory with a continuation', () => {
  it('ends with the model turn holding the continued text', () => {
    expect(toChatHistory(request, 'Once upon').at(-1)).toEqual({
      type: 'model',
      response: ['Once upon'],
    });
  });

  it('ends with an empty model turn without one, or with an empty one', () => {
    const empty = { type: 'model', response: [] };
    expect(toChatHistory(request).at(-1)).toEqual(empty);
    expect(toChatHistory(request, '').at(-1)).toEqual(empty);
    expect(toChatHistory(request, 'x')).toHaveLength(2);
  });
});

describe('ContinuationFirstChunk', () => {
  // An SPM-like stand-in: token 1 is "▁upon", shown as " upon" after other text, "upon" at the start.
  const model = {
    tokenize: (text: string) => Array.from(text, () => 9 as Token),
    detokenize: (tokens: readonly Token[], _special?: boolean, lastTokens?: readonly Token[]) =>
      tokens
        .map((t, i) => (t === 1 ? (i > 0 || lastTokens?.length ? ' upon' : 'upon') : '!'))
        .join(''),
  };

  it('puts back the leading space the library drops from the first chunk', () => {
    const first = new ContinuationFirstChunk(model, 'Once');
    first.onToken([1 as Token]);
    expect(first.chunk('upon')).toBe(' upon');
    first.onToken([2 as Token]);
    expect(first.chunk('!')).toBe('!');
    expect(first.response('upon!')).toBe(' upon!');
  });

  it('changes nothing when the text needs no fixing', () => {
    const first = new ContinuationFirstChunk(model, 'Once');
    first.onToken([2 as Token]);
    expect(first.chunk('!')).toBe('!');
    expect(first.response('! upon')).toBe('! upon');
    const noTokens = new ContinuationFirstChunk(model, 'Once');
    expect(noTokens.chunk('upon')).toBe('upon');
    expect(noTokens.response('upon')).toBe('upon');
  });
});

describe('JobRunner with a continuation', () => {
  function runner() {
    const frames: NodeFrame[] = [];
    const calls: GenerationCallbacks[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const host: LinkModelHost = {
      id: 'tiny',
      freeSlots: 1,
      generate: (_request, callbacks = {}) => {
        calls.push(callbacks);
        callbacks.onText?.(' upon');
        return Promise.resolve({
          text: ' upon',
          toolCalls: [],
          finishReason: 'length',
          promptTokens: 12,
          completionTokens: 1,
          timeToFirstTokenMs: 1,
          durationMs: 2,
        });
      },
    };
    const jobs = new JobRunner({
      send: (frame) => frames.push(frame),
      backlog: () => 0,
      models: () => [{ host, price: PRICE, slots: 1, contextLength: 2048 }],
      pausedReason: () => null,
      logger: silentLogger,
      onJobEnd: () => finish(),
    });
    return { jobs, frames, calls, finished };
  }
  const offerFrame = (extra: object = {}) =>
    gatewayFrameSchema.parse(offer(extra)) as Extract<GatewayFrame, { type: 'job.offer' }>;

  it('passes the continued text to generation and streams only the new text', async () => {
    const { jobs, frames, calls, finished } = runner();
    jobs.offer(offerFrame({ continuation: { text: 'Once' } }));
    await finished;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ continuation: 'Once', source: 'network' });
    expect(frames.map((frame) => frame.type)).toEqual(['job.accept', 'job.chunk', 'job.done']);
    expect(frames[1]).toMatchObject({ index: 0, text: ' upon' });
    expect(frames[2]).toMatchObject({ usage: { promptTokens: 12, completionTokens: 1 } });
  });

  it('passes no continuation for a plain offer', async () => {
    const { jobs, calls, finished } = runner();
    jobs.offer(offerFrame());
    await finished;
    expect(calls[0]?.continuation).toBeUndefined();
  });
});
