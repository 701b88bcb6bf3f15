import { describe, expect, it } from 'vitest';
import { WriteBatch, type WriteAll } from '../../gateway/store/writeBatch.js';

/** A writeAll that records each batch and doubles each number, refusing negative ones. */
function doubler() {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  const writeAll: WriteAll<number, number> = async (items) => {
    batches.push(items);
    if (items.includes(999)) await new Promise<void>((resolve) => (release = resolve));
    if (items.includes(666)) throw new Error('the disk is full');
    return items.map((n) => (n < 0 ? new RangeError(`negative ${n}`) : n * 2));
  };
  return { batches, writeAll, release: () => release?.() };
}

describe('WriteBatch', () => {
  it('writes what arrives together in one call, in order, split at maxItems', async () => {
    const { batches, writeAll } = doubler();
    const batch = new WriteBatch(writeAll, 3, 1);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(batch.idle).toBe(true);
  });

  it('refuses one item alone, and a failed write refuses its whole batch only', async () => {
    const { writeAll } = doubler();
    const batch = new WriteBatch(writeAll, 10, 0);
    const first = await Promise.allSettled([batch.add(1), batch.add(-1), batch.add(2)]);
    expect(first.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
      2,
      'RangeError: negative -1',
      4,
    ]);
    await expect(Promise.all([batch.add(666), batch.add(3)])).rejects.toThrow('disk is full');
    expect(await batch.add(4)).toBe(8);
  });

  it('settled() waits for what was added before it, not for what comes after', async () => {
    const { batches, writeAll, release } = doubler();
    const batch = new WriteBatch(writeAll, 10, 0);
    const slow = batch.add(999);
    const barrier = batch.settled();
    let passed = false;
    void barrier.then(() => (passed = true));
    await expect.poll(() => batches.length).toBe(1); // the slow write has started
    const later = batch.add(7); // queued behind it, after the barrier
    expect(batch.idle).toBe(false);
    release();
    await barrier;
    expect(await slow).toBe(1998);
    expect(passed).toBe(true);
    expect(await later).toBe(14);
    await batch.settled();
    expect(batch.idle).toBe(true);
  });
});
