/**
 * Liveness with a short heartbeat: a node that answers pings stays online; one that stops
 * answering is dropped after two missed pongs, and its job in flight fails over cleanly.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { model } from './support/standInNode.js';
import { startTestGateway, USER, type TestGateway } from './support/testGateway.js';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ heartbeatMs: 50 });
});

afterAll(async () => {
  await t?.close();
});

describe('heartbeat', () => {
  it('keeps a node that answers pings', async () => {
    const { link } = await t.connectNode([model('alive')]);
    for (let ping = 0; ping < 6; ping++) await once(link.ws, 'ping');
    const reply = t.client.chat.completions.create({ model: 'alive', messages: USER });
    await link.serveNext(['still here']);
    expect((await reply).choices[0]?.message.content).toBe('still here');
    link.close();
  });

  it('drops a node after two missed pongs; its job goes to another node', async () => {
    const cheap = { price: { prompt: 1, completion: 1 } };
    const silent = await t.connectNode([model('fragile', cheap)]);
    const spare = await t.connectNode([model('fragile', { price: { prompt: 2, completion: 2 } })]);
    const reply = t.client.chat.completions.create({ model: 'fragile', messages: USER });
    await silent.link.acceptNext();
    silent.link.goSilent();

    // Two pings go unanswered (a third may have been on its way), then the link is cut.
    expect((await silent.link.closed).code).toBe(1006);
    expect(silent.link.pingsWhileSilent).toBeGreaterThanOrEqual(2);
    expect(silent.link.pingsWhileSilent).toBeLessThanOrEqual(3);

    await spare.link.serveNext(['rescued']);
    expect((await reply).choices[0]?.message.content).toBe('rescued');
    spare.link.close();
  });

  it('answers 503 for a job whose only node died before any output', async () => {
    const { link } = await t.connectNode([model('lonely')]);
    const reply = t.client.chat.completions.create({ model: 'lonely', messages: USER });
    await link.acceptNext();
    link.goSilent();
    await expect(reply).rejects.toMatchObject({ status: 503, code: 'no_capacity' });
    await link.closed;
    expect((await t.client.models.list()).data.map((entry) => entry.id)).not.toContain('lonely');
  });
});
