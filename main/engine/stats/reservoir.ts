/**
 * Bounded samples and their percentiles. A bucket keeps at most `capacity` samples however
 * busy it is (reservoir sampling, algorithm R), so memory and snapshot cost stay flat.
 */
import type { Percentiles } from '../../../common/nodeApi.js';

/** A uniform random sample of at most `capacity` of the values added. */
export class Reservoir {
  /** How many values were offered, kept or not. */
  seen = 0;
  readonly samples: number[] = [];
  // Past buckets never change, so readers sort each one once rather than on every snapshot.
  #sorted: Float64Array | null = null;

  constructor(readonly capacity: number) {}

  /** O(1). `random` returns [0, 1), like Math.random. */
  add(value: number, random: () => number): void {
    this.seen++;
    if (this.samples.length < this.capacity) {
      this.samples.push(value);
      this.#sorted = null;
      return;
    }
    const slot = Math.floor(random() * this.seen);
    if (slot < this.capacity) {
      this.samples[slot] = value;
      this.#sorted = null;
    }
  }

  /** The samples in ascending order (cached until the next change). */
  sorted(): Float64Array {
    // Typed arrays sort numerically and natively, without a comparator.
    this.#sorted ??= Float64Array.from(this.samples).sort();
    return this.#sorted;
  }

  /** Restores a saved reservoir; samples beyond the capacity are dropped. */
  static from(capacity: number, seen: number, samples: readonly number[]): Reservoir {
    const reservoir = new Reservoir(capacity);
    reservoir.samples.push(...samples.slice(0, capacity));
    reservoir.seen = Math.max(seen, reservoir.samples.length);
    return reservoir;
  }
}

/**
 * Nearest-rank percentiles (the smallest value with at least `percent`% of the weight at or
 * below it) over several reservoirs. Each sample stands for `seen / samples.length` values of
 * its reservoir, so a busy hour is not outvoted by a quiet one that kept all of its samples.
 */
export class WeightedSamples {
  readonly #parts: { sorted: Float64Array; weight: number }[] = [];
  readonly #total: number = 0;

  constructor(reservoirs: readonly Reservoir[]) {
    for (const reservoir of reservoirs) {
      if (reservoir.samples.length === 0) continue;
      this.#parts.push({
        sorted: reservoir.sorted(),
        weight: reservoir.seen / reservoir.samples.length,
      });
      this.#total += reservoir.seen;
    }
  }

  /** The nearest-rank percentile, null without samples. */
  rank(percent: number): number | null {
    const parts = this.#parts;
    if (parts.length === 0) return null;
    // Compared as weight * 100 against percent * total: 0.95 * 60 is 57.00000000000001.
    const target = percent * this.#total * (1 - 1e-12);
    // Each part's candidates are sorted[low[i]..high[i]); every round a pivot splits them, so
    // the search takes O(log n) rounds instead of a sort of everything.
    const low = parts.map(() => 0);
    const high = parts.map(({ sorted }) => sorted.length);
    let best = Infinity;
    for (;;) {
      const pivot = this.#pivot(low, high);
      if (pivot === null) return best;
      if (this.#weightUpTo(pivot) * 100 >= target) {
        best = pivot;
        parts.forEach(
          ({ sorted }, i) => (high[i] = Math.max(low[i]!, firstAtLeast(sorted, pivot))),
        );
      } else {
        parts.forEach(({ sorted }, i) => (low[i] = Math.min(high[i]!, firstAbove(sorted, pivot))));
      }
    }
  }

  /** The median of the parts' middle candidates, by candidate count; null when none are left. */
  #pivot(low: number[], high: number[]): number | null {
    const middles: { value: number; count: number }[] = [];
    let remaining = 0;
    this.#parts.forEach(({ sorted }, i) => {
      const count = high[i]! - low[i]!;
      if (count <= 0) return;
      middles.push({ value: sorted[(low[i]! + high[i]!) >>> 1]!, count });
      remaining += count;
    });
    if (middles.length === 0) return null;
    middles.sort((a, b) => a.value - b.value);
    let seen = 0;
    for (const { value, count } of middles) {
      seen += count;
      if (seen * 2 >= remaining) return value;
    }
    return middles[middles.length - 1]!.value;
  }

  /** The weight of the samples at or below `value`. */
  #weightUpTo(value: number): number {
    let weight = 0;
    for (const { sorted, weight: each } of this.#parts) {
      weight += firstAbove(sorted, value) * each;
    }
    return weight;
  }
}

/** Index of the first value >= `value` (the length when none). */
function firstAtLeast(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first value > `value`: how many are at or below it. */
function firstAbove(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** One nearest-rank percentile over the reservoirs. */
export function nearestRank(reservoirs: readonly Reservoir[], percent: number): number | null {
  return new WeightedSamples(reservoirs).rank(percent);
}

/** p50 and p95 over the reservoirs. */
export function percentiles(reservoirs: readonly Reservoir[]): Percentiles {
  const samples = new WeightedSamples(reservoirs);
  return { p50: samples.rank(50), p95: samples.rank(95) };
}
