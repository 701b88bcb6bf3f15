/**
 * Receipts are never lost: a node that missed a receipt (the link dropped between the job's
 * end and the receipt) relinks and asks for it with `receipts.request`. The gateway sends
 * the very same signed receipt again for the node's own jobs, and names every other id
 * (made up, or another node's job) in `receipts.unknown`, so nothing of another node leaks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GATEWAY_FEATURE_RECEIPTS_REQUEST,
  MAX_RECEIPT_REQUEST_IDS,
  RECEIPT_REQUESTS_PER_LINK,
} from '../../common/protocol.js';
import { captureLogs, type LogCapture } from './support/logCapture.js';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let logs: LogCapture;

beforeAll(async () => {
  logs = captureLogs();
  t = await startTestGateway({ feeBasisPoints: 1000, logger: logs });
});

afterAll(async () => {
  await t?.close();
});

/** Serves one request on `link` and returns its job id and the receipt the gateway sent. */
async function serveOne(
  link: Awaited<ReturnType<TestGateway['connectNode']>>['link'],
  modelId: string,
) {
  const reply = t.client.chat.completions.create({ model: modelId, messages: USER });
  const offer = await link.serveNext(['ok'], { promptTokens: 9, completionTokens: 1 });
  await reply;
  return { jobId: offer.jobId, sent: await link.next('receipt') };
}

describe('receipts.request', () => {
  it('is offered in welcome', async () => {
    const { link, welcome } = await t.connectNode([model('offered')]);
    expect(welcome.features).toEqual([GATEWAY_FEATURE_RECEIPTS_REQUEST]);
    link.close();
  });

  it("sends the node's missed receipt again, signed the same, and no other node's", async () => {
    const first = await t.connectNode([model('lost-receipt')]);
    const { jobId, sent } = await serveOne(first.link, 'lost-receipt');
    first.link.close(); // the node never stored that receipt: it dropped with the link
    await first.link.closed;

    const other = await t.connectNode([model('someone-else')]);
    const { jobId: othersJob } = await serveOne(other.link, 'someone-else');
    other.link.close();

    const { link } = await t.connectNode([model('lost-receipt')], first.identity);
    link.send({ type: 'receipts.request', jobIds: [jobId, 'job_made_up', othersJob, jobId] });
    const again = await link.next('receipt');
    expect(again).toEqual(sent);
    expect(again.receipt).toMatchObject({ jobId, nodeId: first.nodeId, promptTokens: 9 });
    expect(await link.next('receipts.unknown')).toEqual({
      type: 'receipts.unknown',
      jobIds: ['job_made_up', othersJob],
    });
    await link.sync();
    expect(link.pending().filter((frame) => frame.type === 'receipt')).toEqual([]);
    link.close();
  });

  it('answers a job that was never accounted (it failed) as unknown', async () => {
    const { link } = await t.connectNode([model('failing')]);
    const reply = t.client.chat.completions.create({ model: 'failing', messages: USER });
    const offer = await link.acceptNext();
    link.send({
      type: 'job.error',
      jobId: offer.jobId,
      error: { status: 500, message: 'boom', type: 'server_error', code: null, param: null },
    });
    await expect(reply).rejects.toThrow();
    link.send({ type: 'receipts.request', jobIds: [offer.jobId] });
    expect((await link.next('receipts.unknown')).jobIds).toEqual([offer.jobId]);
    link.close();
  });

  it(`takes ${RECEIPT_REQUESTS_PER_LINK} requests at once and ignores more`, async () => {
    const { link, nodeId } = await t.connectNode([model('greedy-receipts')]);
    for (let i = 0; i <= RECEIPT_REQUESTS_PER_LINK; i++) {
      link.send({ type: 'receipts.request', jobIds: [`job_unknown_${i}`] });
    }
    await link.sync();
    await logs.waitFor(
      (line) => line.msg === 'receipts.request over budget ignored' && line.nodeId === nodeId,
    );
    for (let i = 0; i < RECEIPT_REQUESTS_PER_LINK; i++) {
      expect((await link.next('receipts.unknown')).jobIds).toHaveLength(1);
    }
    expect(link.ws.readyState).toBe(link.ws.OPEN);
    link.close();
  });

  it(`closes the link (4000) for more than ${MAX_RECEIPT_REQUEST_IDS} ids`, async () => {
    const { link } = await t.connectNode([model('too-many-ids')]);
    const jobIds = Array.from({ length: MAX_RECEIPT_REQUEST_IDS + 1 }, (_, i) => `job_${i}`);
    link.send({ type: 'receipts.request', jobIds });
    expect(await link.closed).toMatchObject({
      code: 4000,
      reason: expect.stringMatching(/^bad receipts\.request: jobIds/),
    });
  });
});
