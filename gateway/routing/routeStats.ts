/**
 * The speed the gateway measured itself on one route: an EWMA (alpha {@link STATS_ALPHA}) of
 * time to first token, total latency and tokens/s, per model and over all models. A node's
 * own timings are never trusted here; the router times each try.
 */

/** Weight of the newest sample. */
export const STATS_ALPHA = 0.3;

/** One served try, as the gateway timed it. */
export interface StatsSample {
  /** ms from the try's start to its first output; null when it produced none. */
  ttftMs: number | null;
  /** ms from the try's start to its end. */
  latencyMs: number;
  completionTokens: number;
}

/** Measured speed; a field is undefined until a sample gave it a value. */
export interface SpeedStats {
  ttftMs?: number;
  latencyMs?: number;
  tokensPerSecond?: number;
  /** Samples folded in. */
  samples: number;
}

/** The next EWMA value; the first sample is taken as it is. */
export function ewma(previous: number | undefined, sample: number, alpha = STATS_ALPHA): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}

/**
 * Completion tokens per second of generation after the first token; undefined when the
 * sample cannot say (no first token, fewer than 2 tokens, or no time between them).
 */
export function tokensPerSecond(sample: StatsSample): number | undefined {
  if (sample.ttftMs === null || sample.completionTokens < 2) return undefined;
  const generatingMs = sample.latencyMs - sample.ttftMs;
  return generatingMs > 0 ? (sample.completionTokens * 1000) / generatingMs : undefined;
}

function fold(stats: SpeedStats, sample: StatsSample): SpeedStats {
  const valid = (n: number | null): n is number => n !== null && Number.isFinite(n) && n >= 0;
  const tps = tokensPerSecond(sample);
  return {
    samples: stats.samples + 1,
    latencyMs: valid(sample.latencyMs) ? ewma(stats.latencyMs, sample.latencyMs) : stats.latencyMs,
    ttftMs: valid(sample.ttftMs) ? ewma(stats.ttftMs, sample.ttftMs) : stats.ttftMs,
    tokensPerSecond: tps === undefined ? stats.tokensPerSecond : ewma(stats.tokensPerSecond, tps),
  };
}

/** One route's measured speed. */
export class RouteStats {
  private readonly byModel = new Map<string, SpeedStats>();
  private all: SpeedStats = { samples: 0 };

  /** Folds in one served try of `model`. */
  record(model: string, sample: StatsSample): void {
    this.byModel.set(model, fold(this.byModel.get(model) ?? { samples: 0 }, sample));
    this.all = fold(this.all, sample);
  }

  /** The speed measured for `model`, or undefined before its first sample. */
  get(model: string): SpeedStats | undefined {
    const stats = this.byModel.get(model);
    return stats && { ...stats };
  }

  /** Over every model, for the routes listing. */
  overall(): SpeedStats {
    return { ...this.all };
  }

  /** Forgets a model (the route no longer serves it). */
  forget(model: string): void {
    this.byModel.delete(model);
  }
}
