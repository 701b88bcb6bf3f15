import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  FIRST_COOLDOWN_MS,
  MAX_COOLDOWN_MS,
  WINDOW_MS,
  type BreakerChange,
} from '../../gateway/routing/circuitBreaker.js';
import { fullJitter } from '../../gateway/routing/backoff.js';
import { RouteStats, ewma, tokensPerSecond } from '../../gateway/routing/routeStats.js';

function breaker() {
  const clock = { now: 1_000_000 };
  const changes: BreakerChange['state'][] = [];
  const b = new CircuitBreaker(
    () => clock.now,
    (change) => changes.push(change.state),
  );
  return { b, clock, changes };
}

describe('the circuit breaker', () => {
  it('opens after 3 consecutive failures, not after 2 and a success', () => {
    const { b, changes } = breaker();
    // Enough successes that the failure rate stays under 50 %.
    for (let i = 0; i < 6; i++) b.recordSuccess();
    b.recordFailure('x');
    b.recordFailure('x');
    b.recordSuccess();
    b.recordFailure('x');
    b.recordFailure('x');
    expect(b.state()).toBe('closed');
    b.recordFailure('refused');
    expect(b.state()).toBe('open');
    expect(b.allows()).toBe(false);
    expect(b.lastError).toBe('refused');
    expect(changes).toEqual(['open']);
  });

  it('opens at 50 % failures among at least 5 requests in 60 s, and forgets older ones', () => {
    const { b } = breaker();
    for (const ok of [true, false, true, false]) {
      if (ok) b.recordSuccess();
      else b.recordFailure('x');
    }
    expect(b.state()).toBe('closed'); // 2 of 4: too few requests
    b.recordSuccess();
    b.recordFailure('x'); // 3 of 6
    expect(b.state()).toBe('open');

    const other = breaker();
    for (const ok of [false, true, false, true]) {
      if (ok) other.b.recordSuccess();
      else other.b.recordFailure('x');
    }
    other.clock.now += WINDOW_MS + 1; // those fall out of the window
    other.b.recordSuccess();
    other.b.recordFailure('x');
    other.b.recordSuccess();
    expect(other.b.state()).toBe('closed');
  });

  it('lets exactly one half-open probe through after the cooldown; its success closes it', () => {
    const { b, clock, changes } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure('x');
    clock.now += FIRST_COOLDOWN_MS - 1;
    expect(b.acquire()).toBe(false);
    clock.now += 1;
    expect(b.state()).toBe('half-open');
    expect(b.acquire()).toBe(true);
    expect(b.acquire()).toBe(false); // the probe is out
    b.recordSuccess();
    expect(b.state()).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
  });

  it('doubles the cooldown on a failed probe, up to 5 minutes, and resets it once closed', () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure('x');
    let cooldown = FIRST_COOLDOWN_MS;
    for (let i = 0; i < 8; i++) {
      clock.now += cooldown;
      expect(b.acquire()).toBe(true);
      b.recordFailure('still down');
      cooldown = Math.min(cooldown * 2, MAX_COOLDOWN_MS);
      expect(b.retryAt()).toBe(clock.now + cooldown);
    }
    expect(cooldown).toBe(MAX_COOLDOWN_MS);
    clock.now += cooldown;
    b.acquire();
    b.recordSuccess();
    for (let i = 0; i < 3; i++) b.recordFailure('x');
    expect(b.retryAt()).toBe(clock.now + FIRST_COOLDOWN_MS);
  });

  it('frees a probe that ended with no verdict, and closes on a passing health check only after the cooldown', () => {
    const { b, clock } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure('x');
    b.healthOk();
    expect(b.state()).toBe('open');
    b.healthFailed('down'); // never extends the cooldown
    clock.now += FIRST_COOLDOWN_MS;
    expect(b.acquire()).toBe(true);
    b.release();
    expect(b.acquire()).toBe(true);
    b.release();
    b.healthOk();
    expect(b.state()).toBe('closed');
  });
});

describe('the circuit breaker, further transitions', () => {
  const fail = (b: CircuitBreaker, n: number) => {
    for (let i = 0; i < n; i++) b.recordFailure('x');
  };

  it.each([
    { outcomes: 'FFS', open: false, why: '2 in a row, 2 of 3' },
    { outcomes: 'FFF', open: true, why: '3 in a row' },
    { outcomes: 'SSSSSSFFSFF', open: false, why: '4 of 11, never 3 in a row' },
    { outcomes: 'SFSFS', open: false, why: '2 of 5' },
    { outcomes: 'SFSFSF', open: true, why: '3 of 6 is 50 %' },
    { outcomes: 'FSFS', open: false, why: '2 of 4: fewer than 5 requests' },
    { outcomes: 'FSFSF', open: true, why: '3 of 5' },
  ])('$outcomes: open=$open ($why)', ({ outcomes, open }) => {
    const { b } = breaker();
    for (const c of outcomes) {
      if (c === 'S') b.recordSuccess();
      else b.recordFailure('x');
    }
    expect(b.state()).toBe(open ? 'open' : 'closed');
  });

  it('counts only the last 60 s, outcome by outcome', () => {
    const { b, clock } = breaker();
    b.recordFailure('x'); // t0
    clock.now += 30_000;
    b.recordFailure('x'); // t0+30 s
    b.recordSuccess();
    b.recordSuccess();
    clock.now += 30_000; // the first failure is now exactly 60 s old: out
    b.recordFailure('x'); // in window: F S S F (4): too few
    expect(b.state()).toBe('closed');
    b.recordSuccess(); // F S S F S: 2 of 5
    expect(b.state()).toBe('closed');
    b.recordFailure('x'); // 3 of 6
    expect(b.state()).toBe('open');
  });

  it('keeps bounded memory of outcomes', () => {
    const { b } = breaker();
    for (let i = 0; i < 5000; i++) b.recordSuccess();
    expect((b as unknown as { outcomes: unknown[] }).outcomes.length).toBeLessThanOrEqual(1000);
  });

  it('reports retryAt only while open, and lastError with its time', () => {
    const { b, clock } = breaker();
    expect(b.retryAt()).toBeNull();
    expect(b.lastErrorAt).toBeNull();
    fail(b, 3);
    expect(b.retryAt()).toBe(clock.now + FIRST_COOLDOWN_MS);
    expect(b.lastErrorAt).toBe(clock.now);
    clock.now += FIRST_COOLDOWN_MS;
    expect(b.state()).toBe('half-open');
    expect(b.retryAt()).toBe(clock.now); // still open until the probe says otherwise
    b.acquire();
    b.recordSuccess();
    expect(b.retryAt()).toBeNull();
    expect(b.lastError).toBe('x'); // kept for the routes listing
  });

  it('a success of a try from before it opened does not close it during the cooldown', () => {
    const { b, clock } = breaker();
    fail(b, 3);
    b.recordSuccess();
    expect(b.state()).toBe('open');
    clock.now += FIRST_COOLDOWN_MS;
    b.recordSuccess(); // after the cooldown any success proves it works
    expect(b.state()).toBe('closed');
  });

  it('failures of tries from before it opened do not extend the cooldown', () => {
    const { b, clock } = breaker();
    fail(b, 3);
    const retryAt = b.retryAt();
    clock.now += 1000;
    fail(b, 2);
    expect(b.retryAt()).toBe(retryAt);
  });

  it('the half-open probe is single while out, and its failure re-opens for twice as long', () => {
    const { b, clock, changes } = breaker();
    fail(b, 3);
    clock.now += FIRST_COOLDOWN_MS;
    expect(b.allows()).toBe(true);
    expect(b.allows()).toBe(true); // allows() takes nothing
    expect(b.acquire()).toBe(true);
    expect(b.allows()).toBe(false);
    expect(b.acquire()).toBe(false);
    b.recordFailure('probe failed');
    expect(b.state()).toBe('open');
    expect(b.retryAt()).toBe(clock.now + 2 * FIRST_COOLDOWN_MS);
    expect(changes).toEqual(['open', 'open']);
  });

  it('a failed health check counts as a failure when closed, and re-opens when half-open', () => {
    const { b, clock } = breaker();
    b.healthFailed('h1');
    b.healthFailed('h2');
    expect(b.state()).toBe('closed');
    b.healthFailed('h3');
    expect(b.state()).toBe('open');
    expect(b.lastError).toBe('h3');
    clock.now += FIRST_COOLDOWN_MS;
    b.healthFailed('still down');
    expect(b.state()).toBe('open');
    expect(b.retryAt()).toBe(clock.now + 2 * FIRST_COOLDOWN_MS);
  });

  it('a passing health check closes it at the cooldown and resets the cooldown', () => {
    const { b, clock, changes } = breaker();
    fail(b, 3);
    clock.now += FIRST_COOLDOWN_MS - 1;
    b.healthOk();
    expect(b.state()).toBe('open');
    clock.now += 1;
    b.healthOk();
    expect(b.state()).toBe('closed');
    expect(b.allows()).toBe(true);
    expect(changes).toEqual(['open', 'closed']);
    fail(b, 3);
    expect(b.retryAt()).toBe(clock.now + FIRST_COOLDOWN_MS);
  });

  it('tells onChange the reason, retry time and cooldown of an opening', () => {
    const clock = { now: 0 };
    const seen: BreakerChange[] = [];
    const b = new CircuitBreaker(
      () => clock.now,
      (change) => seen.push(change),
    );
    fail(b, 3);
    expect(seen).toEqual([
      { state: 'open', reason: 'x', retryAt: FIRST_COOLDOWN_MS, cooldownMs: FIRST_COOLDOWN_MS },
    ]);
  });
});

describe('route stats', () => {
  it('keeps an EWMA (alpha 0.3) per model and overall', () => {
    const stats = new RouteStats();
    expect(stats.get('m')).toBeUndefined();
    stats.record('m', { ttftMs: 100, latencyMs: 1100, completionTokens: 10 }); // 10 tok/s
    stats.record('m', { ttftMs: 200, latencyMs: 700, completionTokens: 10 }); // 20 tok/s
    const m = stats.get('m')!;
    expect(m.samples).toBe(2);
    expect(m.ttftMs).toBeCloseTo(100 + 0.3 * 100);
    expect(m.latencyMs).toBeCloseTo(1100 + 0.3 * (700 - 1100));
    expect(m.tokensPerSecond).toBeCloseTo(10 + 0.3 * 10);
    stats.record('other', { ttftMs: 50, latencyMs: 50, completionTokens: 0 });
    expect(stats.get('other')).toEqual({ samples: 1, ttftMs: 50, latencyMs: 50 });
    expect(stats.overall().samples).toBe(3);
    expect(stats.overall().ttftMs).toBeCloseTo(130 + 0.3 * (50 - 130));
    expect(stats.overall().tokensPerSecond).toBeCloseTo(13); // the last sample had no speed
  });

  it.each([
    { sample: { ttftMs: null, latencyMs: 500, completionTokens: 0 }, tps: undefined },
    { sample: { ttftMs: 100, latencyMs: 100, completionTokens: 5 }, tps: undefined },
    { sample: { ttftMs: 100, latencyMs: 300, completionTokens: 1 }, tps: undefined },
    { sample: { ttftMs: 100, latencyMs: 600, completionTokens: 50 }, tps: 100 },
  ])('tokens/s of $sample is $tps', ({ sample, tps }) => {
    expect(tokensPerSecond(sample)).toBe(tps);
  });

  it('a try with no first token updates latency only', () => {
    const stats = new RouteStats();
    stats.record('m', { ttftMs: null, latencyMs: 400, completionTokens: 0 });
    expect(stats.get('m')).toEqual({ samples: 1, latencyMs: 400 });
    expect(ewma(undefined, 7)).toBe(7);
  });
});

describe('full-jitter backoff', () => {
  it.each([
    { attempt: 0, random: 0.5, ms: 25 },
    { attempt: 1, random: 0.5, ms: 50 },
    { attempt: 3, random: 0.99, ms: 396 },
    { attempt: 10, random: 0.5, ms: 500 }, // capped at 1000
    { attempt: 2, random: 0, ms: 0 },
  ])('attempt $attempt, random $random: $ms ms', ({ attempt, random, ms }) => {
    expect(fullJitter(attempt, 50, 1000, () => random)).toBe(ms);
  });
});
