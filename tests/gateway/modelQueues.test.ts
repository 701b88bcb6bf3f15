import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { BusyError } from '../../gateway/routing/dispatchTypes.js';
import { ModelQueues } from '../../gateway/routing/modelQueues.js';
import { ManualTimers, settle } from '../support/manualTimers.js';

function queues(length = 3, waitMs = 5000) {
  const timers = new ManualTimers();
  const queue = new ModelQueues({
    waitMs,
    length,
    logger: silentLogger,
    clock: timers.clock(),
  });
  return { queue, timers };
}

describe('the request queue', () => {
  it('is first in, first out: only the head may go, and its leaving wakes the next', async () => {
    const { queue } = queues();
    const signal = new AbortController().signal;
    const a = queue.enter('m', signal);
    const b = queue.enter('m', signal);
    const c = queue.enter('m', signal);
    expect([a.isFirst(), b.isFirst(), c.isFirst()]).toEqual([true, false, false]);
    let bWoke = false;
    void b.wait().then(() => (bWoke = true));
    await settle();
    expect(bWoke).toBe(false);
    a.leave();
    await settle();
    expect(bWoke).toBe(true);
    expect(b.isFirst()).toBe(true);
    expect(queue.lengths()).toEqual({ m: 2 });
    // Another model's line is its own.
    expect(queue.enter('other', signal).isFirst()).toBe(true);
  });

  it('refuses a request at once when the line is full, with Retry-After', () => {
    const { queue } = queues(2);
    const signal = new AbortController().signal;
    queue.enter('m', signal);
    queue.enter('m', signal);
    const refused = (() => {
      try {
        queue.enter('m', signal);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as BusyError).status).toBe(503);
    expect((refused as BusyError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as BusyError).message).toMatch(/busy/);
  });

  it('gives up with 503 busy once the wait limit is over, re-checking every second meanwhile', async () => {
    const { queue, timers } = queues(3, 2500);
    const ticket = queue.enter('m', new AbortController().signal);
    let woke = 0;
    const waitOnce = () => ticket.wait().then(() => woke++);
    void waitOnce();
    await timers.advance(1000);
    expect(woke).toBe(1);
    void waitOnce();
    await timers.advance(1000);
    expect(woke).toBe(2);
    void waitOnce();
    await timers.advance(500);
    expect(woke).toBe(3);
    await expect(ticket.wait()).rejects.toBeInstanceOf(BusyError);
  });

  it('wakes the head when capacity may have come free, and a waiter whose client left', async () => {
    const { queue } = queues();
    const gone = new AbortController();
    const head = queue.enter('m', new AbortController().signal);
    const next = queue.enter('m', gone.signal);
    let headWoke = false;
    let nextWoke = false;
    void head.wait().then(() => (headWoke = true));
    void next.wait().then(() => (nextWoke = true));
    queue.wake();
    await settle();
    expect([headWoke, nextWoke]).toEqual([true, false]);
    gone.abort();
    await settle();
    expect(nextWoke).toBe(true);
    await expect(next.wait()).rejects.toMatchObject({ status: 499 });
  });

  it('puts a request that must wait again (its route failed) back at the head', () => {
    const { queue } = queues();
    const signal = new AbortController().signal;
    const a = queue.enter('m', signal);
    a.leave();
    const b = queue.enter('m', signal);
    void a.wait();
    expect(a.isFirst()).toBe(true);
    expect(b.isFirst()).toBe(false);
  });
});
