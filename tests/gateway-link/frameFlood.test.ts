/**
 * Frame floods over real links: control frames over their budget are coalesced (the node's
 * last word wins, few are applied, their log lines are counted), a link over the hard frame
 * cap is closed 4009, and the gateway keeps serving other nodes throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../common/protocol.js';
import { CONTROL_FRAME_BURST, CONTROL_FRAME_CAP_BURST } from '../../gateway/link/frameBudget.js';
import { captureLogs, type LogCapture } from './support/logCapture.js';
import { LinkClient, model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
let logs: LogCapture;
let steady: LinkClient;
// A small hard cap (the control flood below stays under it), so that crossing it takes few frames.
const LINK_FRAME_BURST = 1000;
const LINK_FRAMES_PER_SECOND = 100;

beforeAll(async () => {
  logs = captureLogs();
  t = await startTestGateway({
    logger: logs,
    frameLimits: { linkBurst: LINK_FRAME_BURST, linkPerSecond: LINK_FRAMES_PER_SECOND },
  });
  ({ link: steady } = await t.connectNode([model('steady')]));
});

afterAll(async () => {
  await t?.close();
});

const ask = (modelId: string) =>
  t.client.chat.completions.create({ model: modelId, messages: USER });

/** The gateway still completes a request on the steady node. */
async function stillServes(): Promise<void> {
  const reply = ask('steady');
  await steady.serveNext(['fine']);
  expect((await reply).choices[0]?.message.content).toBe('fine');
}

describe('a flood of control frames', () => {
  it('is coalesced: the last frame wins, few are applied, and the log counts the rest', async () => {
    const flooded = await t.connectNode([model('flooded')]);
    const FLOOD = CONTROL_FRAME_CAP_BURST - 10; // under the cap that closes the link
    // The same frame again and again, then a last one that pauses. The announce took one
    // token, so the burst applies burst - 1 of them at once; the last waits, coalesced.
    for (let i = 0; i < FLOOD; i++) {
      const last = i === FLOOD - 1;
      flooded.link.send({ type: 'availability', serving: !last, reason: last ? 'final' : 'flood' });
    }
    await flooded.link.sync();
    await stillServes(); // while the rest of the flood waits

    const drained = await logs.waitFor(
      (line) => line.msg === 'coalesced control frames applied' && line.nodeId === flooded.nodeId,
    );
    expect(drained.dropped).toBeGreaterThan(FLOOD - 4 * CONTROL_FRAME_BURST);
    // Paused by its last frame: no node serves the model now.
    await expect(ask('flooded')).rejects.toMatchObject({ status: 503, code: 'no_capacity' });

    flooded.link.close();
    const summary = await logs.waitFor(
      (line) => line.msg.startsWith('node availability repeated') && line.nodeId === flooded.nodeId,
    );
    const shown = logs.lines.filter(
      (line) => line.msg === 'node availability' && line.nodeId === flooded.nodeId,
    );
    // The repeated line twice, then the change of state: a new line is always logged.
    expect(shown.map((line) => line.reason)).toEqual(['flood', 'flood', 'final']);
    expect(summary).toMatchObject({ level: 'info', serving: true, reason: 'flood' });
    const applied = shown.length + Number(summary.count);
    expect(applied).toBeGreaterThanOrEqual(CONTROL_FRAME_BURST);
    expect(applied).toBeLessThan(2 * CONTROL_FRAME_BURST);
    expect(summary.msg).toBe(`node availability repeated ${Number(summary.count)} more times`);
    await stillServes();
  });
});

describe('a flood of control frames past their cap', () => {
  it('closes the link 4009, and the gateway keeps serving', async () => {
    const { link } = await t.connectNode([model('chatty')]);
    for (let i = 0; i < 2 * CONTROL_FRAME_CAP_BURST; i++) {
      link.send({
        type: 'rewards',
        split: { rewards: 100, exchange: 0, mission: 0 },
        missionCause: null,
      });
    }
    expect(await link.closed).toEqual({
      code: CloseCode.RateLimited,
      reason: 'control frames over budget',
    });
    await stillServes();
  });
});

describe('a flood of any frames', () => {
  it('over the hard cap closes the link 4009, and the gateway keeps serving', async () => {
    const { link, nodeId } = await t.connectNode([model('capped')]);
    // Sent in one go, far faster than the link earns frames back.
    const frames = LINK_FRAME_BURST * 4;
    const frame = JSON.stringify({ type: 'job.accept', jobId: 'job_nobody' });
    for (let i = 0; i < frames; i++) link.send(frame);
    expect(await link.closed).toEqual({
      code: CloseCode.RateLimited,
      reason: 'frame rate over budget',
    });
    expect((await t.client.models.list()).data.map((entry) => entry.id)).not.toContain('capped');
    // The frames it did take were ignored, and logged twice plus a count.
    const summary = await logs.waitFor(
      (line) =>
        line.msg.startsWith('frame for an unknown job ignored repeated') && line.nodeId === nodeId,
    );
    expect(Number(summary.count)).toBeGreaterThan(LINK_FRAME_BURST / 2);
    expect(Number(summary.count)).toBeLessThan(frames);
    await stillServes();
  });
});
