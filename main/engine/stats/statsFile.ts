/**
 * The shape of stats.json and its checks. Only counts, timings and model ids are stored:
 * nothing from a prompt or a completion.
 */
import { z } from 'zod';
import { Reservoir } from './reservoir.js';
import { Bucket, bucketStart, Counters, Timeline } from './timeline.js';

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const sample = z.number().nonnegative().finite();

const samplesSchema = z
  .object({ seen: count, samples: z.array(sample).max(4096) })
  .refine((value) => value.samples.length <= value.seen, 'more samples than values seen');

const countersSchema = z.object({
  requests: count,
  errors: count,
  promptTokens: count,
  completionTokens: count,
  rejections: z.record(z.string().max(256), count),
});

const bucketSchema = countersSchema.extend({
  start: z.iso.datetime({ offset: true }),
  tokensPerSecond: samplesSchema,
  timeToFirstTokenMs: samplesSchema,
});

const bucketsSchema = z.array(bucketSchema).max(1000);

/** stats.json, version 1. */
export const statsSnapshotFileSchema = z.object({
  version: z.literal(1),
  savedAt: z.iso.datetime({ offset: true }),
  totals: countersSchema,
  minute: bucketsSchema,
  hour: bucketsSchema,
  day: bucketsSchema,
  models: z.record(
    z.string().min(1).max(256),
    z.object({
      totals: countersSchema,
      hour: bucketsSchema,
      recentTokensPerSecond: z.array(sample).max(4096),
    }),
  ),
});

/** What `RequestStats.toJSON()` returns and stats.json holds. */
export type StatsSnapshotFile = z.infer<typeof statsSnapshotFileSchema>;
export type CountersJSON = z.infer<typeof countersSchema>;
export type BucketJSON = z.infer<typeof bucketSchema>;

/** The file's content, or null when it is not a valid stats file. */
export function parseStatsFile(value: unknown): StatsSnapshotFile | null {
  const parsed = statsSnapshotFileSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function countersToJSON(counters: Counters): CountersJSON {
  return {
    requests: counters.requests,
    errors: counters.errors,
    promptTokens: counters.promptTokens,
    completionTokens: counters.completionTokens,
    rejections: counters.rejectionsRecord(),
  };
}

/** Copies saved counts into `counters`. */
export function restoreCounters(counters: Counters, saved: CountersJSON): void {
  counters.requests = saved.requests;
  counters.errors = saved.errors;
  counters.promptTokens = saved.promptTokens;
  counters.completionTokens = saved.completionTokens;
  for (const [reason, n] of Object.entries(saved.rejections)) counters.rejections.set(reason, n);
}

export function bucketToJSON(bucket: Bucket): BucketJSON {
  return {
    start: new Date(bucket.start).toISOString(),
    ...countersToJSON(bucket),
    tokensPerSecond: {
      seen: bucket.tokensPerSecond.seen,
      samples: [...bucket.tokensPerSecond.samples],
    },
    timeToFirstTokenMs: {
      seen: bucket.timeToFirstTokenMs.seen,
      samples: [...bucket.timeToFirstTokenMs.samples],
    },
  };
}

/** A saved bucket, its start moved to `start` (re-aligned to this machine's time zone). */
export function bucketFromJSON(saved: BucketJSON, start: number, capacity: number): Bucket {
  const bucket = new Bucket(
    start,
    capacity,
    Reservoir.from(capacity, saved.tokensPerSecond.seen, saved.tokensPerSecond.samples),
    Reservoir.from(capacity, saved.timeToFirstTokenMs.seen, saved.timeToFirstTokenMs.samples),
  );
  restoreCounters(bucket, saved);
  return bucket;
}

/** Restores saved buckets, re-aligned to this time zone; future and expired ones are dropped. */
export function restoreTimeline(
  timeline: Timeline,
  saved: readonly BucketJSON[],
  now: number,
): void {
  const current = bucketStart(timeline.size, now);
  const starts = saved.map((bucket) => bucketStart(timeline.size, Date.parse(bucket.start)));
  const order = saved.map((_, index) => index).sort((a, b) => starts[a]! - starts[b]!);
  for (const index of order) {
    if (starts[index]! > current) continue;
    timeline.restore(bucketFromJSON(saved[index]!, starts[index]!, timeline.capacity));
  }
  timeline.trim(current);
}
