/** RequestStats: counters, percentiles, wall-clock buckets, persistence. Clocks are injected. */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUCKET_SAMPLES,
  loadRequestStats,
  RequestStats,
  saveRequestStats,
  STATS_FILE,
  type RequestRecord,
} from '../../main/engine/stats/requestStats.js';
import { Reservoir, WeightedSamples } from '../../main/engine/stats/reservoir.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 2026-11-24 10:00:30 local time. */
const T0 = new Date(2026, 10, 24, 10, 0, 30).getTime();

/** A settable clock. */
function clock(start = T0) {
  const state = { now: start };
  return {
    now: () => state.now,
    set: (t: number) => (state.now = t),
    advance: (ms: number) => (state.now += ms),
  };
}

/** Deterministic [0, 1) numbers (an LCG), so reservoir sampling is reproducible. */
function seeded(seed = 42) {
  let state = seed;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

/** A finished request at `tokensPerSecond` (100 completion tokens). */
function done(
  model: string,
  tokensPerSecond: number,
  extra: Partial<RequestRecord> = {},
): RequestRecord {
  return {
    model,
    source: 'network',
    outcome: 'done',
    promptTokens: 10,
    completionTokens: 100,
    timeToFirstTokenMs: null,
    durationMs: (100 * 1000) / tokensPerSecond,
    ...extra,
  };
}

describe('RequestStats counters', () => {
  it('counts requests of every outcome, errors, tokens and rejections by reason', () => {
    const stats = new RequestStats({ now: clock().now });
    stats.record(done('a', 50, { promptTokens: 7, completionTokens: 20 }));
    stats.record(done('a', 50, { outcome: 'error', promptTokens: 3, completionTokens: 1 }));
    stats.record(done('b', 50, { outcome: 'cancelled', source: 'local', completionTokens: 5 }));
    stats.reject('busy', 'a');
    stats.reject('busy', 'a');
    stats.reject('price', 'b');
    stats.reject('shutting_down');
    const snapshot = stats.snapshot();
    expect(snapshot).toMatchObject({
      requests: 3,
      errors: 1,
      promptTokens: 20,
      completionTokens: 26,
      rejections: { busy: 2, price: 1, shutting_down: 1 },
    });
    expect(snapshot.perModel.a).toMatchObject({ requests: 2, errors: 1, rejections: { busy: 2 } });
    expect(snapshot.perModel.b).toMatchObject({ requests: 1, errors: 0, rejections: { price: 1 } });
  });

  it('takes speed only from finished requests with tokens and time, and TTFT from any non-null', () => {
    const stats = new RequestStats({ now: clock().now });
    stats.record(done('a', 40, { timeToFirstTokenMs: 120 }));
    stats.record(done('a', 999, { outcome: 'error', timeToFirstTokenMs: 300 }));
    stats.record(done('a', 999, { outcome: 'cancelled' }));
    stats.record(done('a', 999, { completionTokens: 0, durationMs: 10 }));
    stats.record(done('a', 999, { durationMs: 0 }));
    const { tokensPerSecond, timeToFirstTokenMs } = stats.snapshot();
    expect(tokensPerSecond).toEqual({ p50: 40, p95: 40 });
    expect(timeToFirstTokenMs).toEqual({ p50: 120, p95: 300 });
  });

  it('reports uptime from startedAt, which is not persisted', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now, startedAt: T0 - 90_500 });
    expect(stats.snapshot()).toMatchObject({
      uptimeSeconds: 90,
      startedAt: new Date(T0 - 90_500).toISOString(),
    });
    const restored = RequestStats.fromJSON(stats.toJSON(), { now: time.now, startedAt: T0 });
    expect(restored.snapshot().uptimeSeconds).toBe(0);
  });

  it('lumps rejection reasons past 32 distinct ones under "other"', () => {
    const stats = new RequestStats({ now: clock().now });
    for (let i = 0; i < 40; i++) stats.reject(`reason-${i}`);
    stats.reject('reason-0');
    const { rejections } = stats.snapshot();
    expect(Object.keys(rejections)).toHaveLength(33);
    expect(rejections['reason-0']).toBe(2);
    expect(rejections.other).toBe(8);
  });
});

describe('RequestStats percentiles', () => {
  it('uses nearest rank on known samples', () => {
    const stats = new RequestStats({ now: clock().now });
    // Speeds 1..20 tok/s, recorded out of order; TTFT 10..200 ms.
    for (const n of [7, 3, 20, 1, 15, 9, 2, 11, 19, 4, 5, 6, 8, 10, 12, 13, 14, 16, 17, 18]) {
      stats.record(done('a', n, { timeToFirstTokenMs: n * 10 }));
    }
    const snapshot = stats.snapshot();
    // ceil(0.5 * 20) = 10th, ceil(0.95 * 20) = 19th.
    expect(snapshot.tokensPerSecond).toEqual({ p50: 10, p95: 19 });
    expect(snapshot.timeToFirstTokenMs).toEqual({ p50: 100, p95: 190 });
    expect(stats.tokensPerSecond('a')).toBe(10);
    expect(stats.tokensPerSecond('unknown')).toBeNull();
  });

  it('has null percentiles before any sample', () => {
    const stats = new RequestStats({ now: clock().now });
    stats.record(done('a', 10, { outcome: 'error' }));
    expect(stats.snapshot().tokensPerSecond).toEqual({ p50: null, p95: null });
    expect(stats.tokensPerSecond('a')).toBeNull();
  });

  it('bounds each bucket to a reservoir and still estimates the median', () => {
    const stats = new RequestStats({ now: clock().now, random: seeded() });
    for (let n = 1; n <= 10_000; n++) stats.record(done('a', n));
    const minute = stats.toJSON().minute;
    expect(minute).toHaveLength(1);
    expect(minute[0]!.tokensPerSecond.samples).toHaveLength(BUCKET_SAMPLES);
    expect(minute[0]!.tokensPerSecond.seen).toBe(10_000);
    const { p50, p95 } = stats.snapshot().tokensPerSecond;
    expect(p50).toBeGreaterThan(4_000);
    expect(p50).toBeLessThan(6_000);
    expect(p95).toBeGreaterThan(9_000);
  });

  it('weights each hour by its traffic, not by the samples it kept', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now, random: seeded() });
    for (let i = 0; i < 600; i++) stats.record(done('a', 1));
    time.advance(HOUR);
    for (let i = 0; i < 2_000; i++) stats.record(done('a', 100));
    // 512 samples each: unweighted, half are 1 tok/s; by traffic, 77% are 100 tok/s.
    expect(stats.snapshot().tokensPerSecond).toEqual({ p50: 100, p95: 100 });
  });

  it('uses the model’s recent requests for tokensPerSecond(model)', () => {
    const stats = new RequestStats({ now: clock().now });
    for (let i = 0; i < 100; i++) stats.record(done('a', 10));
    for (let i = 0; i < 64; i++) stats.record(done('a', 30));
    stats.record(done('b', 77));
    expect(stats.tokensPerSecond('a')).toBe(30);
    expect(stats.tokensPerSecond('b')).toBe(77);
  });
});

describe('WeightedSamples', () => {
  /** The definition, by brute force: sort everything, walk the cumulative weight. */
  function bruteForce(reservoirs: Reservoir[], percent: number): number | null {
    const pairs = reservoirs.flatMap((r) =>
      r.samples.map((value) => ({ value, weight: r.seen / r.samples.length })),
    );
    if (pairs.length === 0) return null;
    pairs.sort((a, b) => a.value - b.value);
    const total = reservoirs.reduce((sum, r) => sum + (r.samples.length ? r.seen : 0), 0);
    let cumulative = 0;
    for (let i = 0; i < pairs.length; i++) {
      cumulative += pairs[i]!.weight;
      const next = pairs[i + 1];
      // Equal values count together: the rank lands on the value, not on one copy of it.
      if (next && next.value === pairs[i]!.value) continue;
      if (cumulative * 100 >= percent * total * (1 - 1e-12)) return pairs[i]!.value;
    }
    return pairs[pairs.length - 1]!.value;
  }

  it('matches the brute-force weighted nearest rank on random reservoirs', () => {
    const random = seeded(7);
    for (let round = 0; round < 300; round++) {
      const reservoirs = Array.from({ length: 1 + Math.floor(random() * 6) }, () => {
        const size = Math.floor(random() * 20);
        const samples = Array.from({ length: size }, () =>
          Math.floor(random() * (round % 2 ? 10 : 1000)),
        );
        return Reservoir.from(
          64,
          size + Math.floor(random() * 3) * Math.floor(random() * 500),
          samples,
        );
      });
      const samples = new WeightedSamples(reservoirs);
      for (const percent of [1, 50, 95, 100]) {
        expect(samples.rank(percent), `round ${round} p${percent}`).toBe(
          bruteForce(reservoirs, percent),
        );
      }
    }
  });
});

describe('RequestStats buckets', () => {
  it('keeps 60 contiguous minute buckets with empty ones as zeros', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now });
    stats.record(done('a', 10, { timeToFirstTokenMs: 50 }));
    time.advance(MINUTE);
    stats.record(done('a', 20));
    stats.reject('busy');
    time.advance(5 * MINUTE);
    stats.record(done('a', 30));
    const buckets = stats.buckets('minute');
    expect(buckets).toHaveLength(60);
    const starts = buckets.map((bucket) => Date.parse(bucket.start));
    for (let i = 1; i < 60; i++) expect(starts[i]! - starts[i - 1]!).toBe(MINUTE);
    expect(starts[59]).toBe(T0 - 30_000 + 6 * MINUTE);
    expect(buckets.map((bucket) => bucket.requests).slice(-7)).toEqual([1, 1, 0, 0, 0, 0, 1]);
    expect(buckets[53]).toMatchObject({
      requests: 1,
      tokensPerSecond: { p50: 10, p95: 10 },
      timeToFirstTokenMs: { p50: 50 },
    });
    expect(buckets[54]).toMatchObject({
      requests: 1,
      rejections: { busy: 1 },
      tokensPerSecond: { p50: 20 },
    });
    expect(buckets[55]).toEqual({
      start: new Date(starts[55]!).toISOString(),
      requests: 0,
      rejections: {},
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      tokensPerSecond: { p50: null, p95: null },
      timeToFirstTokenMs: { p50: null, p95: null },
    });
    // An hour later all of it has scrolled out of the minute chart.
    time.advance(HOUR);
    expect(stats.buckets('minute').every((bucket) => bucket.requests === 0)).toBe(true);
    expect(stats.buckets('hour').reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(3);
  });

  it('keeps 48 hour buckets on local hour starts and 30 day buckets on local midnights', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now });
    stats.record(done('a', 10));
    time.advance(3 * HOUR);
    stats.record(done('a', 10));
    stats.record(done('a', 10));
    time.set(new Date(2026, 10, 26, 10, 15).getTime()); // 48 hours later
    stats.record(done('a', 10));

    const hours = stats.buckets('hour');
    expect(hours).toHaveLength(48);
    for (const bucket of hours) expect(new Date(bucket.start).getMinutes()).toBe(0);
    expect(hours[47]).toMatchObject({
      start: new Date(2026, 10, 26, 10).toISOString(),
      requests: 1,
    });
    expect(hours[0]!.start).toBe(new Date(2026, 10, 24, 11).toISOString());
    const at = (hour: number, day = 24) =>
      hours.find((b) => b.start === new Date(2026, 10, day, hour).toISOString());
    expect(at(10)).toBeUndefined(); // the first request is 48 hours old: off the chart
    expect(at(13)?.requests).toBe(2);

    const days = stats.buckets('day');
    expect(days).toHaveLength(30);
    for (let i = 0; i < 30; i++) {
      const start = new Date(days[i]!.start);
      expect([start.getHours(), start.getMinutes()]).toEqual([0, 0]);
      if (i > 0) expect(start.getTime()).toBe(new Date(2026, 10, 26 - 29 + i).getTime());
    }
    expect(days.slice(-3).map((bucket) => bucket.requests)).toEqual([3, 0, 1]);
  });

  it('aligns days to local midnight across a DST change', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // 2026-11-01 is 25 hours long in New York.
      const time = clock(Date.parse('2026-11-03T12:00:00-05:00'));
      const stats = new RequestStats({ now: time.now });
      stats.record(done('a', 10));
      const days = stats
        .buckets('day')
        .slice(-4)
        .map((bucket) => bucket.start);
      expect(days).toEqual([
        '2026-10-31T04:00:00.000Z',
        '2026-11-01T04:00:00.000Z',
        '2026-11-02T05:00:00.000Z',
        '2026-11-03T05:00:00.000Z',
      ]);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('limits snapshot percentiles to the last 24 hours but keeps lifetime counters', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now });
    stats.record(done('a', 10, { timeToFirstTokenMs: 80 }));
    time.advance(23 * HOUR);
    expect(stats.snapshot().tokensPerSecond.p50).toBe(10);
    time.advance(HOUR);
    const snapshot = stats.snapshot();
    expect(snapshot).toMatchObject({ requests: 1, completionTokens: 100 });
    expect(snapshot.tokensPerSecond).toEqual({ p50: null, p95: null });
    expect(snapshot.timeToFirstTokenMs).toEqual({ p50: null, p95: null });
    expect(snapshot.perModel.a).toMatchObject({ requests: 1, tokensPerSecond: { p50: null } });
    // The model's measured speed outlives the 24-hour window.
    expect(stats.tokensPerSecond('a')).toBe(10);
  });

  it('counts into the newest bucket when the clock steps back', () => {
    const time = clock();
    const stats = new RequestStats({ now: time.now });
    stats.record(done('a', 10));
    time.advance(-2 * MINUTE);
    stats.record(done('a', 10));
    time.advance(2 * MINUTE);
    expect(stats.buckets('minute').at(-1)?.requests).toBe(2);
  });
});

describe('RequestStats per model', () => {
  it('keeps counters and percentiles per model', () => {
    const stats = new RequestStats({ now: clock().now });
    stats.record(done('a', 10, { timeToFirstTokenMs: 100 }));
    stats.record(done('a', 30, { timeToFirstTokenMs: 300 }));
    stats.record(done('b', 50, { promptTokens: 1 }));
    const { perModel } = stats.snapshot();
    expect(Object.keys(perModel).sort()).toEqual(['a', 'b']);
    expect(perModel.a).toMatchObject({
      requests: 2,
      promptTokens: 20,
      completionTokens: 200,
      tokensPerSecond: { p50: 10, p95: 30 },
      timeToFirstTokenMs: { p50: 100, p95: 300 },
    });
    expect(perModel.b).toMatchObject({
      requests: 1,
      promptTokens: 1,
      tokensPerSecond: { p50: 50 },
    });
  });

  it('keeps a model named __proto__ as a plain key', () => {
    const stats = new RequestStats({ now: clock().now });
    stats.record(done('__proto__', 10));
    const { perModel } = stats.snapshot();
    expect(Object.getPrototypeOf(perModel)).toBe(Object.prototype);
    expect(Object.keys(perModel)).toEqual(['__proto__']);
    expect(Object.keys(stats.toJSON().models)).toEqual(['__proto__']);
  });

  it('does not let offers for unknown models crowd out served ones', () => {
    const stats = new RequestStats({ now: clock().now });
    for (let i = 0; i < 1_000; i++) stats.reject('model', `unknown-${i}`);
    stats.record(done('served', 10));
    const { perModel, rejections } = stats.snapshot();
    expect(rejections.model).toBe(1_000);
    expect(Object.keys(perModel).length).toBeLessThanOrEqual(65);
    expect(perModel.served).toMatchObject({ requests: 1 });
  });
});

describe('RequestStats persistence', () => {
  function busyStats(now: () => number) {
    const stats = new RequestStats({ now, startedAt: T0, random: seeded() });
    for (let n = 1; n <= 700; n++)
      stats.record(done(n % 2 ? 'a' : 'b', n, { timeToFirstTokenMs: n }));
    stats.reject('price', 'a');
    stats.reject('busy');
    return stats;
  }

  it('round-trips through toJSON/fromJSON and JSON text', () => {
    const time = clock();
    const stats = busyStats(time.now);
    time.advance(2 * HOUR);
    stats.record(done('a', 5));
    const restored = RequestStats.fromJSON(JSON.parse(JSON.stringify(stats.toJSON())), {
      now: time.now,
      startedAt: T0,
    });
    expect(restored.snapshot()).toEqual(stats.snapshot());
    for (const size of ['minute', 'hour', 'day'] as const)
      expect(restored.buckets(size)).toEqual(stats.buckets(size));
    expect(restored.tokensPerSecond('a')).toBe(stats.tokensPerSecond('a'));
    expect(restored.toJSON()).toEqual(stats.toJSON());
    // It keeps counting from where it was.
    restored.record(done('a', 5));
    expect(restored.snapshot().requests).toBe(stats.snapshot().requests + 1);
  });

  it('stores no text: only counts, timings and model ids', () => {
    const stats = busyStats(clock().now);
    const text = JSON.stringify(stats.toJSON());
    expect(text).not.toMatch(/prompt"|completion"|content|messages/);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'stats'],
    ['another version', { version: 2 }],
    [
      'a negative counter',
      (json: Record<string, unknown>) => ({
        ...json,
        totals: { ...(json.totals as object), requests: -1 },
      }),
    ],
    [
      'a bad bucket start',
      (json: Record<string, unknown>) => ({
        ...json,
        minute: [{ ...(json.minute as object[])[0], start: 'yesterday' }],
      }),
    ],
  ])('gives empty stats for %s', (_name, make) => {
    const time = clock();
    const valid = busyStats(time.now).toJSON() as unknown as Record<string, unknown>;
    const value = typeof make === 'function' ? make(valid) : make;
    const stats = RequestStats.fromJSON(value, { now: time.now });
    expect(stats.snapshot()).toMatchObject({ requests: 0, rejections: {}, perModel: {} });
    expect(stats.buckets('minute').every((bucket) => bucket.requests === 0)).toBe(true);
  });

  describe('on disk', () => {
    let dataDir: string;
    beforeEach(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'byoi-stats-'));
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('saves atomically with mode 0600 and loads the same stats', async () => {
      const time = clock();
      const stats = busyStats(time.now);
      await saveRequestStats(dataDir, stats);
      if (process.platform !== 'win32')
        expect(statSync(join(dataDir, STATS_FILE)).mode & 0o777).toBe(0o600);
      expect(readdirSync(dataDir)).toEqual([STATS_FILE]);
      const loaded = await loadRequestStats(dataDir, { now: time.now, startedAt: T0 });
      expect(loaded.snapshot()).toEqual(stats.snapshot());
    });

    it('starts empty without a file', async () => {
      const stats = await loadRequestStats(join(dataDir, 'missing'), { now: clock().now });
      expect(stats.snapshot().requests).toBe(0);
    });

    it.each([
      ['not JSON', '{"version": 1, "totals": '],
      ['the wrong shape', JSON.stringify({ version: 1, totals: { requests: 'many' } })],
    ])('sets aside a file that is %s and starts empty', async (_name, text) => {
      const path = join(dataDir, STATS_FILE);
      writeFileSync(path, text);
      const now = Date.UTC(2026, 10, 24, 10, 0, 0);
      const stats = await loadRequestStats(dataDir, { now: () => now });
      expect(stats.snapshot().requests).toBe(0);
      expect(readdirSync(dataDir)).toEqual([`${STATS_FILE}.bad-2026-11-24T10-00-00Z`]);
      expect(readFileSync(join(dataDir, `${STATS_FILE}.bad-2026-11-24T10-00-00Z`), 'utf8')).toBe(
        text,
      );
      await saveRequestStats(dataDir, stats);
      expect(readdirSync(dataDir).sort()).toEqual([
        STATS_FILE,
        `${STATS_FILE}.bad-2026-11-24T10-00-00Z`,
      ]);
    });

    it('throws I/O errors other than a missing file, leaving the path alone', async () => {
      mkdirSync(join(dataDir, STATS_FILE)); // a folder where the file should be: EISDIR
      await expect(loadRequestStats(dataDir)).rejects.toMatchObject({ code: 'EISDIR' });
      expect(readdirSync(dataDir)).toEqual([STATS_FILE]);
    });
  });
});
