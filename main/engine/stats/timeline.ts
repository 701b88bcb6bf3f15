/**
 * Wall-clock buckets: counters and samples per minute, local hour and local day. Only buckets
 * that saw something are stored; the chart axis fills the gaps with empty ones.
 */
import type { StatsBucketSize, StatsTotals } from '../../../common/nodeApi.js';
import { percentiles, Reservoir } from './reservoir.js';

/** How many buckets of each size are kept and charted. */
export const RETENTION: Readonly<Record<StatsBucketSize, number>> = {
  minute: 60,
  hour: 48,
  day: 30,
};

const MINUTE_MS = 60_000;

/** Start of the bucket holding `time`: the minute, the local hour or the local midnight. */
export function bucketStart(size: StatsBucketSize, time: number): number {
  if (size === 'minute') return Math.floor(time / MINUTE_MS) * MINUTE_MS;
  const date = new Date(time);
  // Local time, so that days start at the provider's midnight and DST is handled by Date.
  if (size === 'hour') date.setMinutes(0, 0, 0);
  else date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** Start of the bucket `count` buckets before the one starting at `start`. */
export function bucketStartBefore(size: StatsBucketSize, start: number, count: number): number {
  if (size === 'minute') return start - count * MINUTE_MS;
  let result = start;
  // Local hours and days are not always 1 h / 24 h long, so step one bucket at a time.
  for (let i = 0; i < count; i++) result = bucketStart(size, result - 1);
  return result;
}

/** Start of the bucket after the one starting at `start`. */
export function bucketEnd(size: StatsBucketSize, start: number): number {
  if (size === 'minute') return start + MINUTE_MS;
  if (size === 'hour') return bucketStart('hour', start + 3_600_000);
  const date = new Date(start);
  date.setDate(date.getDate() + 1);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** Most distinct rejection reasons a counter keeps; the rest are counted as `other`. */
const MAX_REASONS = 32;

/** Plain counts. */
export class Counters {
  requests = 0;
  errors = 0;
  promptTokens = 0;
  completionTokens = 0;
  readonly rejections = new Map<string, number>();

  reject(reason: string): void {
    const key =
      this.rejections.has(reason) || this.rejections.size < MAX_REASONS ? reason : 'other';
    this.rejections.set(key, (this.rejections.get(key) ?? 0) + 1);
  }

  rejectionsRecord(): Record<string, number> {
    return Object.fromEntries(this.rejections);
  }
}

/** One bucket's counters and bounded samples. */
export class Bucket extends Counters {
  readonly tokensPerSecond: Reservoir;
  readonly timeToFirstTokenMs: Reservoir;

  constructor(
    readonly start: number,
    capacity: number,
    tokensPerSecond = new Reservoir(capacity),
    timeToFirstTokenMs = new Reservoir(capacity),
  ) {
    super();
    this.tokensPerSecond = tokensPerSecond;
    this.timeToFirstTokenMs = timeToFirstTokenMs;
  }
}

/** The stored buckets of one size, oldest first, with at most `retention` of them. */
export class Timeline {
  readonly buckets: Bucket[] = [];
  // The current bucket's span, cached so that record() rarely touches Date.
  #from = Infinity;
  #until = -Infinity;

  constructor(
    readonly size: StatsBucketSize,
    readonly retention: number,
    readonly capacity: number,
  ) {}

  /** The bucket to count `time` in. O(1) except when a new bucket starts. */
  at(time: number): Bucket {
    const last = this.buckets[this.buckets.length - 1];
    if (last && time >= this.#from && time < this.#until) return last;
    const start = bucketStart(this.size, time);
    // A clock that stepped back counts in the newest bucket rather than reopening an old one.
    if (last && start <= last.start) return last;
    const bucket = new Bucket(start, this.capacity);
    this.buckets.push(bucket);
    this.#from = start;
    this.#until = bucketEnd(this.size, start);
    this.trim(start);
    return bucket;
  }

  /** Adds a restored bucket; buckets must arrive oldest first. */
  restore(bucket: Bucket): void {
    const last = this.buckets[this.buckets.length - 1];
    if (!last || bucket.start > last.start) this.buckets.push(bucket);
  }

  /** Drops buckets that fell out of the window ending with the bucket starting at `start`. */
  trim(start: number): void {
    const oldest = bucketStartBefore(this.size, start, this.retention - 1);
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.start < oldest) drop++;
    if (drop > 0) this.buckets.splice(0, drop);
  }

  /** The stored buckets that start at or after `from`. */
  since(from: number): Bucket[] {
    return this.buckets.filter((bucket) => bucket.start >= from);
  }

  /** The last `count` buckets up to the one holding `now`, oldest first, gaps as undefined. */
  window(now: number, count: number): { start: number; bucket: Bucket | undefined }[] {
    const byStart = new Map(this.buckets.map((bucket) => [bucket.start, bucket]));
    const slots: { start: number; bucket: Bucket | undefined }[] = [];
    let start = bucketStart(this.size, now);
    for (let i = 0; i < count; i++) {
      slots.push({ start, bucket: byStart.get(start) });
      start = bucketStartBefore(this.size, start, 1);
    }
    return slots.reverse();
  }
}

/** Lifetime `counters` with percentiles over `buckets`. */
export function totalsOf(counters: Counters, buckets: readonly Bucket[]): StatsTotals {
  return {
    requests: counters.requests,
    rejections: counters.rejectionsRecord(),
    errors: counters.errors,
    promptTokens: counters.promptTokens,
    completionTokens: counters.completionTokens,
    tokensPerSecond: percentiles(buckets.map((bucket) => bucket.tokensPerSecond)),
    timeToFirstTokenMs: percentiles(buckets.map((bucket) => bucket.timeToFirstTokenMs)),
  };
}
