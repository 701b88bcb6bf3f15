/**
 * Measuring a transfer: its speed over a sliding window, and a throttle so that progress
 * is reported at most every so often. Both take the time as an argument, so tests can
 * drive them with a fake clock.
 */

interface Sample {
  at: number;
  bytes: number;
}

/** Bytes per second over the last `windowMs` (5 s by default). */
export class SpeedMeter {
  private readonly samples: Sample[] = [];
  private latest: Sample | null = null;

  /**
   * @param windowMs - how far back the average reaches
   * @param spacingMs - samples closer together than this are merged, to bound memory
   */
  constructor(
    private readonly windowMs = 5000,
    private readonly spacingMs = 100,
  ) {}

  /** Records that `totalBytes` have arrived so far, at time `at` (ms). */
  record(at: number, totalBytes: number): void {
    this.latest = { at, bytes: totalBytes };
    const last = this.samples.at(-1);
    if (!last || at - last.at >= this.spacingMs) this.samples.push(this.latest);
    // Keep one sample at or before the window's start, so the window stays full.
    while (this.samples.length > 1 && this.samples[1]!.at <= at - this.windowMs) {
      this.samples.shift();
    }
  }

  /** Bytes per second over the window; null until two samples lie apart in time. */
  bytesPerSecond(): number | null {
    const oldest = this.samples[0];
    const latest = this.latest;
    if (!oldest || !latest || latest.at <= oldest.at) return null;
    return ((latest.bytes - oldest.bytes) * 1000) / (latest.at - oldest.at);
  }
}

/** Lets something through at most once per `intervalMs`; the first call always passes. */
export class Throttle {
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** Whether to act now (and if so, the interval restarts from `at`). */
  ready(at: number): boolean {
    if (at - this.last < this.intervalMs) return false;
    this.last = at;
    return true;
  }
}
