/**
 * Liveness on a clock the test moves: a node that answers pings stays online; one that stops
 * answering is dropped after two missed pongs, and its job in flight fails over cleanly.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualTimers } from '../support/manualTimers.js';
import { model, type LinkClient } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;
const timers = new ManualTimers();
const HEARTBEAT_MS = 15_000;

beforeAll(async () => {
  t = await startTestGateway({
    heartbeatMs: HEARTBEAT_MS,
    clock: timers.clock(),
    // Far away: here a job fails over because its link dropped, not for want of output.
    firstTokenTimeoutMs: 3_600_000,
  });
});

afterAll(async () => {
  await t?.close();
});

/** One heartbeat: the gateway pings every link. */
async function beat(): Promise<void> {
  await timers.advance(HEARTBEAT_MS);
}

describe('heartbeat', () => {
  it('keeps a node that answers pings', async () => {
    const { link } = await t.connectNode([model('alive')]);
    for (let ping = 0; ping < 6; ping++) {
      const pinged = once(link.ws, 'ping');
      await beat();
      await pinged;
      await link.sync(); // the gateway has its pong
    }
    const reply = t.client.chat.completions.create({ model: 'alive', messages: USER });
    await link.serveNext(['still here']);
    expect((await reply).choices[0]?.message.content).toBe('still here');
    link.close();
  });

  /** Beats until `link` is cut (the `healthy` ones answer each ping in time); its close. */
  async function beatUntilDropped(link: LinkClient, healthy: LinkClient[] = []) {
    for (let beats = 0; beats < 3; beats++) {
      const pinged = healthy.map((other) => once(other.ws, 'ping'));
      await beat();
      await Promise.all(pinged);
      for (const other of healthy) await other.sync();
    }
    return link.closed;
  }

  it('drops a node after two missed pongs; its job goes to another node', async () => {
    const cheap = { price: { prompt: 1, completion: 1 } };
    const silent = await t.connectNode([model('fragile', cheap)]);
    const spare = await t.connectNode([model('fragile', { price: { prompt: 2, completion: 2 } })]);
    const reply = t.client.chat.completions.create({ model: 'fragile', messages: USER });
    await silent.link.acceptNext();
    await silent.link.sync(); // the gateway has the accept
    silent.link.goSilent();

    // Two pings go unanswered, and the third beat cuts the link.
    expect((await beatUntilDropped(silent.link, [spare.link])).code).toBe(1006);
    expect(silent.link.pingsWhileSilent).toBe(2);

    await spare.link.serveNext(['rescued']);
    expect((await reply).choices[0]?.message.content).toBe('rescued');
    spare.link.close();
  });

  it('answers 503 for a job whose only node died before any output', async () => {
    const { link } = await t.connectNode([model('lonely')]);
    const reply = t.client.chat.completions.create({ model: 'lonely', messages: USER });
    await link.acceptNext();
    await link.sync();
    link.goSilent();
    const failed = expect(reply).rejects.toMatchObject({ status: 503, code: 'no_capacity' });
    await beatUntilDropped(link);
    await failed;
    expect((await t.client.models.list()).data.map((entry) => entry.id)).not.toContain('lonely');
  });
});
