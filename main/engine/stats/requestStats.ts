/**
 * Served-request stats: lifetime counters, wall-clock buckets for charts, and speed and
 * latency percentiles, all in bounded memory. `record` runs once per request on the hot
 * path, so it only bumps counters and adds to fixed-size samples; sorting waits for readers.
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../common/log.js';
import { silentLogger } from '../../../common/log.js';
import type {
  ServedStats,
  StatsBucket,
  StatsBucketSize,
  StatsTotals,
} from '../../../common/nodeApi.js';
import { setAsideFile } from '../settings/setAside.js';
import { writeFileAtomic } from '../storage/atomicFile.js';
import { nearestRank, Reservoir } from './reservoir.js';
import {
  bucketToJSON,
  countersToJSON,
  parseStatsFile,
  restoreCounters,
  restoreTimeline,
  type StatsSnapshotFile,
} from './statsFile.js';
import {
  bucketStart,
  bucketStartBefore,
  Counters,
  RETENTION,
  Timeline,
  totalsOf,
  type Bucket,
} from './timeline.js';

export type { StatsSnapshotFile } from './statsFile.js';

/** One finished request: counts and timings only, never its text. */
export interface RequestRecord {
  model: string;
  source: 'network' | 'local';
  outcome: 'done' | 'error' | 'cancelled';
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number | null;
  durationMs: number;
}

export interface RequestStatsOptions {
  /** Wall clock in ms (tests inject one). */
  now?: () => number;
  /** When the process started (ms); defaults to construction time. Not persisted. */
  startedAt?: number;
  /** Random source for reservoir sampling, [0, 1) (tests inject one). */
  random?: () => number;
}

/** Samples kept per bucket, per measure. */
export const BUCKET_SAMPLES = 512;
/** Samples kept per model and hour: there can be many models. */
const MODEL_BUCKET_SAMPLES = 128;
/** Most models tracked one by one; offers for unknown models may only fill half of them. */
const MAX_MODELS = 128;
const MODEL_ID_MAX = 128;
/** Requests behind `tokensPerSecond(model)`. */
const RECENT_SPEED_SAMPLES = 64;
/** Percentiles in `snapshot()` cover this many hour buckets (the current one included). */
const SNAPSHOT_HOURS = 24;

interface ModelEntry {
  totals: Counters;
  hours: Timeline;
  /** The speeds of the latest requests, as a ring. */
  recentSpeeds: number[];
  recentNext: number;
}

/** Rounds to 0.01 so that stats.json stays short. */
const round = (value: number) => Math.round(value * 100) / 100;
const nonNegative = (value: number) => (Number.isFinite(value) && value > 0 ? value : 0);

/** Counters and samples of the requests this node served. */
export class RequestStats {
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #startedAt: number;
  readonly #totals = new Counters();
  readonly #timelines: Record<StatsBucketSize, Timeline> = {
    minute: new Timeline('minute', RETENTION.minute, BUCKET_SAMPLES),
    hour: new Timeline('hour', RETENTION.hour, BUCKET_SAMPLES),
    day: new Timeline('day', RETENTION.day, BUCKET_SAMPLES),
  };
  readonly #models = new Map<string, ModelEntry>();

  constructor(options: RequestStatsOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#startedAt = options.startedAt ?? this.#now();
  }

  /** Counts a finished request. O(1). */
  record(request: RequestRecord): void {
    const now = this.#now();
    const promptTokens = nonNegative(request.promptTokens);
    const completionTokens = nonNegative(request.completionTokens);
    const durationMs = nonNegative(request.durationMs);
    const speed =
      request.outcome === 'done' && completionTokens > 0 && durationMs > 0
        ? round((completionTokens * 1000) / durationMs)
        : null;
    const ttft =
      request.timeToFirstTokenMs === null ? null : round(nonNegative(request.timeToFirstTokenMs));
    const count = (counters: Counters) => {
      counters.requests++;
      if (request.outcome === 'error') counters.errors++;
      counters.promptTokens += promptTokens;
      counters.completionTokens += completionTokens;
    };
    const sample = (bucket: Bucket) => {
      count(bucket);
      if (speed !== null) bucket.tokensPerSecond.add(speed, this.#random);
      if (ttft !== null) bucket.timeToFirstTokenMs.add(ttft, this.#random);
    };
    count(this.#totals);
    sample(this.#timelines.minute.at(now));
    sample(this.#timelines.hour.at(now));
    sample(this.#timelines.day.at(now));
    const model = this.#model(request.model, MAX_MODELS);
    if (!model) return;
    count(model.totals);
    sample(model.hours.at(now));
    if (speed !== null) {
      model.recentSpeeds[model.recentNext] = speed;
      model.recentNext = (model.recentNext + 1) % RECENT_SPEED_SAMPLES;
    }
  }

  /** An offer or request refused before it ran, by reason: 'busy', 'paused', 'price', 'model', 'invalid', 'shutting_down', 'queue_full', … */
  reject(reason: string, model?: string): void {
    const now = this.#now();
    this.#totals.reject(reason);
    this.#timelines.minute.at(now).reject(reason);
    this.#timelines.hour.at(now).reject(reason);
    this.#timelines.day.at(now).reject(reason);
    // Offers name models this node may not have, so they must not crowd out served ones.
    if (model !== undefined) this.#model(model, MAX_MODELS / 2)?.totals.reject(reason);
  }

  /** Lifetime counters, percentiles over the last 24 hours, per model too. */
  snapshot(): ServedStats {
    const now = this.#now();
    const since = bucketStartBefore('hour', bucketStart('hour', now), SNAPSHOT_HOURS - 1);
    // fromEntries, so that a model id like `__proto__` stays a plain key.
    const perModel: Record<string, StatsTotals> = Object.fromEntries(
      [...this.#models].map(([id, entry]) => [
        id,
        totalsOf(entry.totals, entry.hours.since(since)),
      ]),
    );
    return {
      ...totalsOf(this.#totals, this.#timelines.hour.since(since)),
      uptimeSeconds: Math.max(0, Math.floor((now - this.#startedAt) / 1000)),
      startedAt: new Date(this.#startedAt).toISOString(),
      perModel,
    };
  }

  /** minute: last 60, hour: last 48, day: last 30, oldest first, empty buckets included (zeros, null percentiles) so charts have a continuous axis. */
  buckets(size: StatsBucketSize): StatsBucket[] {
    const timeline = this.#timelines[size];
    return timeline.window(this.#now(), timeline.retention).map(({ start, bucket }) => ({
      start: new Date(start).toISOString(),
      ...totalsOf(bucket ?? new Counters(), bucket ? [bucket] : []),
    }));
  }

  /** p50 completion tokens/s of the model's recent requests, null before any. */
  tokensPerSecond(model: string): number | null {
    const entry = this.#models.get(model.slice(0, MODEL_ID_MAX));
    if (!entry || entry.recentSpeeds.length === 0) return null;
    return nearestRank([Reservoir.from(RECENT_SPEED_SAMPLES, 0, entry.recentSpeeds)], 50);
  }

  /** Everything but `startedAt`, for stats.json. */
  toJSON(): StatsSnapshotFile {
    const models: StatsSnapshotFile['models'] = Object.fromEntries(
      [...this.#models].map(([id, entry]) => [
        id,
        {
          totals: countersToJSON(entry.totals),
          hour: entry.hours.buckets.map(bucketToJSON),
          // Oldest first, so that a restored ring overwrites the oldest speed next.
          recentTokensPerSecond: [
            ...entry.recentSpeeds.slice(entry.recentNext),
            ...entry.recentSpeeds.slice(0, entry.recentNext),
          ],
        },
      ]),
    );
    return {
      version: 1,
      savedAt: new Date(this.#now()).toISOString(),
      totals: countersToJSON(this.#totals),
      minute: this.#timelines.minute.buckets.map(bucketToJSON),
      hour: this.#timelines.hour.buckets.map(bucketToJSON),
      day: this.#timelines.day.buckets.map(bucketToJSON),
      models,
    };
  }

  /** Restores `toJSON()` output; anything malformed gives empty stats. */
  static fromJSON(value: unknown, options: RequestStatsOptions = {}): RequestStats {
    const stats = new RequestStats(options);
    const file = parseStatsFile(value);
    if (file) stats.#restore(file);
    return stats;
  }

  #restore(file: StatsSnapshotFile): void {
    const now = this.#now();
    restoreCounters(this.#totals, file.totals);
    for (const size of ['minute', 'hour', 'day'] as const) {
      restoreTimeline(this.#timelines[size], file[size], now);
    }
    for (const [id, saved] of Object.entries(file.models)) {
      const entry = this.#model(id, MAX_MODELS);
      if (!entry) break;
      restoreCounters(entry.totals, saved.totals);
      restoreTimeline(entry.hours, saved.hour, now);
      const speeds = saved.recentTokensPerSecond.slice(-RECENT_SPEED_SAMPLES);
      entry.recentSpeeds.push(...speeds);
      entry.recentNext = speeds.length % RECENT_SPEED_SAMPLES;
    }
  }

  /** The model's entry, created while fewer than `limit` models are tracked. */
  #model(id: string, limit: number): ModelEntry | undefined {
    const key = id.slice(0, MODEL_ID_MAX);
    let entry = this.#models.get(key);
    if (!entry && this.#models.size < limit) {
      entry = {
        totals: new Counters(),
        hours: new Timeline('hour', SNAPSHOT_HOURS, MODEL_BUCKET_SAMPLES),
        recentSpeeds: [],
        recentNext: 0,
      };
      this.#models.set(key, entry);
    }
    return entry;
  }
}

/** The stats file in the data folder. */
export const STATS_FILE = 'stats.json';

export interface LoadRequestStatsOptions extends RequestStatsOptions {
  logger?: Logger;
}

/**
 * <dataDir>/stats.json, written atomically (main/engine/storage/atomicFile.ts). A bad file
 * gives empty stats and is renamed aside (never deleted); I/O errors other than a missing
 * file are thrown.
 */
export async function loadRequestStats(
  dataDir: string,
  options: LoadRequestStatsOptions = {},
): Promise<RequestStats> {
  const path = join(dataDir, STATS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new RequestStats(options);
    throw error;
  }
  let file: StatsSnapshotFile | null = null;
  try {
    file = parseStatsFile(JSON.parse(text));
  } catch {
    // Not JSON: set aside below, like a file of the wrong shape.
  }
  if (!file) {
    const keptAt = setAsideFile(path, (options.now ?? Date.now)());
    (options.logger ?? silentLogger).warn('stats file was not valid; set aside', { path, keptAt });
    return new RequestStats(options);
  }
  return RequestStats.fromJSON(file, options);
}

/** Writes <dataDir>/stats.json atomically (0600). */
export async function saveRequestStats(dataDir: string, stats: RequestStats): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFileAtomic(join(dataDir, STATS_FILE), JSON.stringify(stats.toJSON()), {
    overwrite: true,
  });
}
