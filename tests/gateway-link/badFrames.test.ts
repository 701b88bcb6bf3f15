/**
 * Malformed, unknown, binary and oversized frames close only the link that sent them, with
 * a reason that fits a close frame; the gateway keeps serving everyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, MAX_FRAME_BYTES } from '../../common/protocol.js';
import { LinkClient, model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let healthy: LinkClient;

beforeAll(async () => {
  t = await startTestGateway();
  ({ link: healthy } = await t.connectNode([model('steady')]));
});

afterAll(async () => {
  await t?.close();
});

/** The gateway still completes a request on the healthy node. */
async function stillServes(): Promise<void> {
  const reply = t.client.chat.completions.create({ model: 'steady', messages: USER });
  await healthy.serveNext(['fine']);
  expect((await reply).choices[0]?.message.content).toBe('fine');
}

const bad: { name: string; frame: () => string | Buffer; code: number; reason: RegExp }[] = [
  { name: 'not JSON', frame: () => '{"type": "announce", ', code: 4000, reason: /not valid JSON/ },
  { name: 'JSON without a type', frame: () => '[1,2]', code: 4000, reason: /no string "type"/ },
  {
    name: 'an unknown type',
    frame: () => JSON.stringify({ type: 'x'.repeat(500) }),
    code: 4000,
    reason: /^unknown frame type/,
  },
  {
    name: 'a known type with bad fields',
    frame: () =>
      JSON.stringify({
        type: 'announce',
        models: [model('m', { slots: 0 })],
        hardware: { summary: '', backend: 'cpu' },
      }),
    code: 4000,
    reason: /^bad announce: models\[0\]\.slots/,
  },
  {
    name: 'a chunk with a huge text',
    frame: () =>
      JSON.stringify({ type: 'job.chunk', jobId: 'j', index: 0, text: 'é'.repeat(70_000) }),
    code: 4000,
    reason: /^bad job.chunk: text/,
  },
  {
    name: 'an availability without a boolean',
    frame: () => JSON.stringify({ type: 'availability', serving: 'yes', reason: 'x' }),
    code: 4000,
    reason: /^bad availability: serving/,
  },
  {
    name: 'an availability without a reason',
    frame: () => JSON.stringify({ type: 'availability', serving: false }),
    code: 4000,
    reason: /^bad availability: reason/,
  },
  {
    name: 'a reward split that does not add up to 100',
    frame: () =>
      JSON.stringify({
        type: 'rewards',
        split: { rewards: 50, exchange: 30, mission: 19 },
        missionCause: null,
      }),
    code: 4000,
    reason: /^bad rewards: split: rewards, exchange and mission must add up to 100/,
  },
  {
    name: 'a reward split in fractions',
    frame: () =>
      JSON.stringify({
        type: 'rewards',
        split: { rewards: 50.5, exchange: 49.5, mission: 0 },
        missionCause: 'x',
      }),
    code: 4000,
    reason: /^bad rewards: split\.rewards/,
  },
  {
    name: 'a mission cause too long',
    frame: () =>
      JSON.stringify({
        type: 'rewards',
        split: { rewards: 100, exchange: 0, mission: 0 },
        missionCause: 'c'.repeat(129),
      }),
    code: 4000,
    reason: /^bad rewards: missionCause/,
  },
  ...['has space', 'new\nline', 'a,b', '"quoted"', 'é', '<script>', 'x'.repeat(129)].map((id) => ({
    name: `a model id outside the safe characters (${JSON.stringify(id.slice(0, 12))})`,
    frame: () =>
      JSON.stringify({
        type: 'announce',
        models: [model(id)],
        hardware: { summary: '', backend: 'cpu' },
      }),
    code: 4000,
    reason: /^bad announce: models\[0\]\.id/,
  })),
  {
    name: 'a job id outside the safe characters',
    frame: () => JSON.stringify({ type: 'job.accept', jobId: 'job 1\r\nx-injected: 1' }),
    code: 4000,
    reason: /^bad job\.accept: jobId/,
  },
  {
    name: 'a receipts.request with an unsafe job id',
    frame: () => JSON.stringify({ type: 'receipts.request', jobIds: ['job_1', '=cmd|x'] }),
    code: 4000,
    reason: /^bad receipts\.request: jobIds\[1\]/,
  },
  {
    name: 'an empty receipts.request',
    frame: () => JSON.stringify({ type: 'receipts.request', jobIds: [] }),
    code: 4000,
    reason: /^bad receipts\.request: jobIds/,
  },
  { name: 'a binary frame', frame: () => Buffer.from([1, 2, 3]), code: 4000, reason: /binary/ },
  {
    name: 'a frame over the size limit',
    frame: () => JSON.stringify({ type: 'announce', pad: 'x'.repeat(MAX_FRAME_BYTES) }),
    code: CloseCode.FrameTooLarge,
    reason: /larger than/,
  },
];

describe('bad frames after the handshake', () => {
  for (const { name, frame, code, reason } of bad) {
    it(`closes the link for ${name}, and the gateway keeps serving`, async () => {
      const { link } = await t.connectNode([model('doomed')]);
      link.send(frame());
      const closed = await link.closed;
      expect(closed.code).toBe(code);
      expect(closed.reason).toMatch(reason);
      expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
      // Its model is gone with it.
      expect((await t.client.models.list()).data.map((m) => m.id)).toEqual(['steady']);
      await stillServes();
    });
  }

  it('is cut by ws itself (1009) for a frame far over the limit', async () => {
    const { link } = await t.connectNode([model('doomed')]);
    link.send('x'.repeat(2 * MAX_FRAME_BYTES + 1));
    expect((await link.closed).code).toBe(1009);
    await stillServes();
  });

  it('takes model ids made of the safe characters', async () => {
    const ids = ['org/model:q4', 'Qwen2.5-7B-Instruct-Q4_K_M', 'hf@user/m+v2', 'x'.repeat(128)];
    const { link } = await t.connectNode(ids.map((id) => model(id)));
    expect(link.ws.readyState).toBe(link.ws.OPEN);
    expect((await t.client.models.list()).data.map((m) => m.id).sort()).toEqual(
      [...ids, 'steady'].sort(),
    );
    link.close();
    await link.closed;
  });

  it('ignores frames for jobs the node does not hold', async () => {
    const { link } = await t.connectNode([model('doomed')]);
    link.send({ type: 'job.chunk', jobId: 'job_nobody', index: 0, text: 'spoof' });
    link.send({
      type: 'job.done',
      jobId: 'job_nobody',
      finishReason: 'stop',
      usage: { promptTokens: 1, completionTokens: 1 },
      timings: { timeToFirstTokenMs: null, durationMs: 1 },
    });
    await link.sync();
    expect(link.ws.readyState).toBe(link.ws.OPEN);
    expect(await t.gateway.store.usageFor('job_nobody')).toBeNull();
    link.close();
  });

  it('closes 4008 for a second hello', async () => {
    const { link, identity } = await t.connectNode([model('doomed')]);
    link.send({ type: 'hello', v: 1, publicKey: identity.publicKey, signature: '', agent: 'x' });
    expect((await link.closed).code).toBe(CloseCode.UnexpectedFrame);
  });
});

describe('bad frames before the handshake', () => {
  it('closes 4000 for garbage instead of a hello', async () => {
    const link = await LinkClient.open(t.gateway.linkUrl);
    await link.next('challenge');
    link.send('garbage');
    expect((await link.closed).code).toBe(CloseCode.BadFrame);
    await stillServes();
  });

  it('answers 404 to an upgrade on another path', async () => {
    const link = LinkClient.open(t.gateway.linkUrl.replace('/v1/node/link', '/v1/other'));
    await expect(link).rejects.toThrow(/404/);
  });
});
