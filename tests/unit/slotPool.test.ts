import { describe, it, expect } from 'vitest';
import { SlotPool, type SlotLease } from '../../main/engine/inference/slotPool.js';
import { ApiError } from '../../common/openaiErrors.js';

/** Tracks whether a promise has settled, without waiting on timers. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Lets every already-resolved promise callback run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('SlotPool', () => {
  it('grants up to size slots at once, each a different slot', async () => {
    const pool = new SlotPool(['a', 'b', 'c'], 4);
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(leases.map((l) => l.slot).sort()).toEqual(['a', 'b', 'c']);
    expect(pool.size).toBe(3);
    expect(pool.busy).toBe(3);
    expect(pool.queued).toBe(0);
  });

  it('queues the next request and grants waiters in FIFO order on release', async () => {
    const pool = new SlotPool([1], 4);
    const first = await pool.acquire();
    const order: string[] = [];
    const second = pool.acquire().then((lease) => (order.push('second'), lease));
    const third = pool.acquire().then((lease) => (order.push('third'), lease));
    const secondState = track(second);
    const thirdState = track(third);
    await flush();
    expect(pool.queued).toBe(2);
    expect(secondState.settled).toBe(false);

    first.release();
    const secondLease = await second;
    expect(secondLease.slot).toBe(1);
    await flush();
    expect(thirdState.settled).toBe(false);
    expect(pool.queued).toBe(1);
    expect(pool.busy).toBe(1);

    secondLease.release();
    const thirdLease = await third;
    expect(thirdLease.slot).toBe(1);
    expect(order).toEqual(['second', 'third']);
    thirdLease.release();
    expect(pool.busy).toBe(0);
  });

  it('refuses with a 503 server_error once maxQueued requests are waiting', async () => {
    const pool = new SlotPool(['only'], 2);
    await pool.acquire();
    void pool.acquire();
    void pool.acquire();
    expect(pool.queued).toBe(2);
    const error = await pool.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).type).toBe('server_error');
    expect(pool.queued).toBe(2);
  });

  it('with maxQueued 0 refuses as soon as every slot is busy', async () => {
    const pool = new SlotPool(['a'], 0);
    const lease = await pool.acquire();
    await expect(pool.acquire()).rejects.toMatchObject({ status: 503, type: 'server_error' });
    expect(pool.queued).toBe(0);
    lease.release();
    await expect(pool.acquire()).resolves.toMatchObject({ slot: 'a' });
  });

  it('rejects a queued request with the signal reason when aborted and drops it from the queue', async () => {
    const pool = new SlotPool(['s'], 4);
    const held = await pool.acquire();
    const controller = new AbortController();
    const aborted = pool.acquire(controller.signal);
    const after = pool.acquire();
    expect(pool.queued).toBe(2);

    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(pool.queued).toBe(1);

    held.release();
    const lease = await after;
    expect(lease.slot).toBe('s');
    expect(pool.busy).toBe(1);
    expect(pool.queued).toBe(0);
  });

  it('throws at once for an already-aborted signal, even with free slots', () => {
    const pool = new SlotPool(['s'], 4);
    const reason = new Error('too late');
    expect(() => pool.acquire(AbortSignal.abort(reason))).toThrow(reason);
    expect(pool.busy).toBe(0);
  });

  it('ignores an abort after the slot was granted', async () => {
    const pool = new SlotPool(['s'], 4);
    const held = await pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    held.release();
    const lease = await waiting;
    controller.abort(new Error('after grant'));
    await flush();
    expect(pool.busy).toBe(1);
    lease.release();
    expect(pool.busy).toBe(0);
  });

  it('treats a second release of the same lease as a no-op', async () => {
    const pool = new SlotPool(['a', 'b'], 4);
    const a = await pool.acquire();
    const b = await pool.acquire();
    a.release();
    a.release();
    expect(pool.busy).toBe(1);

    // A double release must not hand the same slot to a waiter while `b` still holds it.
    const next = await pool.acquire();
    const waiter = track(pool.acquire());
    next.release();
    next.release();
    await flush();
    expect(waiter.settled).toBe(true);
    expect(pool.busy).toBe(2);
    expect((waiter.value as SlotLease<string>).slot).not.toBe(b.slot);
  });

  it('whenIdle resolves only once every slot is released', async () => {
    const pool = new SlotPool(['a', 'b'], 4);
    await expect(pool.whenIdle()).resolves.toBeUndefined();

    const a = await pool.acquire();
    const b = await pool.acquire();
    const queued = pool.acquire();
    const idle = track(pool.whenIdle());

    a.release(); // handed to the queued request, so still two busy
    const c = await queued;
    await flush();
    expect(idle.settled).toBe(false);

    b.release();
    await flush();
    expect(idle.settled).toBe(false);

    c.release();
    await flush();
    expect(idle.settled).toBe(true);
    expect(pool.busy).toBe(0);
  });

  it('rejectQueued fails every waiter and leaves held slots alone', async () => {
    const pool = new SlotPool(['a'], 4);
    const held = await pool.acquire();
    const waiters = [pool.acquire(), pool.acquire(), pool.acquire()];
    const shutdown = new Error('unloading');
    pool.rejectQueued(shutdown);
    expect(pool.queued).toBe(0);
    const results = await Promise.allSettled(waiters);
    expect(results).toEqual(waiters.map(() => ({ status: 'rejected', reason: shutdown })));
    expect(pool.busy).toBe(1);

    held.release();
    expect(pool.busy).toBe(0);
    await expect(pool.acquire()).resolves.toMatchObject({ slot: 'a' });
  });
});
