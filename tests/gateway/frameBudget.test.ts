/** The token bucket and the coalescing budget of a link's frames, on a fake clock. */
import { describe, expect, it } from 'vitest';
import {
  CoalescingBudget,
  CONTROL_FRAME_BURST,
  frameBudgetLimits,
  TokenBucket,
} from '../../gateway/link/frameBudget.js';
import { ManualTimers } from '../support/manualTimers.js';

/** Manual timers on a clock that starts at 1000 (so a bucket's first refill is not at 0). */
function fakeTimers() {
  const timers = new ManualTimers();
  timers.now = 1000;
  return { timers, clock: timers.clock(), count: () => timers.armed.length };
}

describe('TokenBucket', () => {
  it('allows a burst, then earns tokens back at its rate, never above the burst', async () => {
    const { timers, clock } = fakeTimers();
    const bucket = new TokenBucket(3, 2, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.msUntilToken()).toBe(500);
    await timers.advance(499);
    expect(bucket.take()).toBe(false);
    await timers.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    await timers.advance(60_000);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('ignores a clock that steps back', () => {
    let now = 5000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take()).toBe(true);
    now = 0;
    expect(bucket.take()).toBe(false);
    now = 1000;
    expect(bucket.take()).toBe(true);
  });
});

describe('CoalescingBudget', () => {
  it('applies within budget at once, and over it only the latest per key, as tokens return', async () => {
    const { timers, clock, count } = fakeTimers();
    const applied: string[] = [];
    const drained: number[] = [];
    const budget = new CoalescingBudget<string>(new TokenBucket(2, 1, clock.now), clock, (n) =>
      drained.push(n),
    );
    const submit = (key: string, value: string) =>
      budget.submit(key, () => applied.push(`${key}=${value}`));

    expect(submit('a', '1')).toBe(true);
    expect(submit('b', '1')).toBe(true);
    expect(submit('a', '2')).toBe(false);
    expect(submit('b', '2')).toBe(false);
    expect(submit('a', '3')).toBe(false); // replaces a=2
    expect(applied).toEqual(['a=1', 'b=1']);
    expect(budget.waitingCount).toBe(2);
    expect(count()).toBe(1); // one timer, however many wait

    await timers.advance(1000);
    expect(applied).toEqual(['a=1', 'b=1', 'b=2']);
    await timers.advance(1000);
    expect(applied).toEqual(['a=1', 'b=1', 'b=2', 'a=3']);
    expect(drained).toEqual([1]);
    expect(count()).toBe(0);
  });

  it('keeps waiting work ahead of newer work of another key', async () => {
    const { timers, clock } = fakeTimers();
    const applied: string[] = [];
    const budget = new CoalescingBudget<string>(new TokenBucket(1, 1, clock.now), clock);
    budget.submit('a', () => applied.push('a1'));
    budget.submit('a', () => applied.push('a2'));
    expect(budget.submit('b', () => applied.push('b1'))).toBe(false);
    await timers.advance(2000);
    expect(applied).toEqual(['a1', 'a2', 'b1']);
  });

  it('drops what waits and its timer when closed', async () => {
    const { timers, clock, count } = fakeTimers();
    const applied: string[] = [];
    const budget = new CoalescingBudget<string>(new TokenBucket(1, 1, clock.now), clock);
    budget.submit('a', () => applied.push('a1'));
    budget.submit('a', () => applied.push('a2'));
    budget.close();
    expect(count()).toBe(0);
    await timers.advance(10_000);
    expect(budget.submit('a', () => applied.push('a3'))).toBe(false);
    expect(applied).toEqual(['a1']);
  });
});

it('frameBudgetLimits fills in the constants', () => {
  expect(frameBudgetLimits({ linkBurst: 5 })).toMatchObject({
    controlBurst: CONTROL_FRAME_BURST,
    linkBurst: 5,
  });
});
