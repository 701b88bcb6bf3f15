/** Reconnect delays: exponential ceilings, full jitter, the cap, and reset. */
import { describe, expect, it } from 'vitest';
import {
  Backoff,
  backoffDelay,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_CAP_MS,
} from '../../main/engine/link/backoff.js';

const top = () => 1;
const half = () => 0.5;

describe('backoffDelay', () => {
  it('uses a base of 250 ms and a cap of 10 s by default', () => {
    expect(DEFAULT_BACKOFF_BASE_MS).toBe(250);
    expect(DEFAULT_BACKOFF_CAP_MS).toBe(10_000);
    expect(backoffDelay(0, { random: top })).toBe(250);
    expect(backoffDelay(5, { random: top })).toBe(8000);
    expect(backoffDelay(6, { random: top })).toBe(10_000);
  });

  it.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1000],
    [50, 1000],
    [5000, 1000],
  ])('attempt %i has the ceiling %i (base 100, cap 1000)', (attempt, ceiling) => {
    expect(backoffDelay(attempt, { baseMs: 100, capMs: 1000, random: top })).toBe(ceiling);
    expect(backoffDelay(attempt, { baseMs: 100, capMs: 1000, random: half })).toBe(ceiling / 2);
  });

  it('draws from the whole range down to zero (full jitter)', () => {
    expect(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => 0.25 })).toBe(200);
  });

  it('keeps a misbehaving random source within [0, ceiling]', () => {
    expect(backoffDelay(1, { baseMs: 100, random: () => 7 })).toBe(200);
    expect(backoffDelay(1, { baseMs: 100, random: () => -3 })).toBe(0);
  });

  it('spreads real random delays over the range', () => {
    const delays = Array.from({ length: 400 }, () =>
      backoffDelay(4, { baseMs: 100, capMs: 10_000 }),
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1600);
    expect(delays.some((delay) => delay < 400)).toBe(true);
    expect(delays.some((delay) => delay > 1200)).toBe(true);
  });
});

describe('Backoff', () => {
  it('grows with each attempt and starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 10, capMs: 50, random: top });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([
      10, 20, 40, 50,
    ]);
    expect(backoff.attempt).toBe(4);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(10);
  });

  it('passes the attempt ceiling to the random source as a fraction', () => {
    const draws = [0.1, 0.9, 0.5];
    const backoff = new Backoff({ baseMs: 1000, capMs: 100_000, random: () => draws.shift() ?? 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 1800, 2000]);
  });
});
