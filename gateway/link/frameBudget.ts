/**
 * Per-link frame budgets. Every frame a node sends counts against a generous hard cap (over
 * it, the link closes); the control frames that log and wake the router (`announce`,
 * `availability`, `rewards`) also count against a small budget, over which they are coalesced:
 * only the latest of each type waits, and is applied once the budget allows. So a flood costs
 * the gateway little, and its final state is still the last frame the node sent. A link that
 * keeps sending control frames far beyond that budget is closed.
 */
import { realClock, unrefTimeout, type Clock, type TimerHandle } from '../../common/node/timers.js';

/** Control frames a link may send at once before they are coalesced. */
export const CONTROL_FRAME_BURST = 20;
/** Control frames per second a link earns back. */
export const CONTROL_FRAMES_PER_SECOND = 2;
/**
 * Control frames a link may send at once before it is closed (4009): far above what an
 * honest node sends (a few a minute), so only a flood reaches it.
 */
export const CONTROL_FRAME_CAP_BURST = 200;
/** Control frames per second a link earns back towards that cap. */
export const CONTROL_FRAME_CAP_PER_SECOND = 20;
/** Frames of any type a link may send at once (a busy node streams many `job.chunk`s). */
export const LINK_FRAME_BURST = 20_000;
/** Frames per second of any type a link earns back; a link over its budget is closed. */
export const LINK_FRAMES_PER_SECOND = 10_000;

/** The budgets of one link; each field defaults to the constant of the same meaning. */
export interface FrameBudgetLimits {
  controlBurst: number;
  controlPerSecond: number;
  controlCapBurst: number;
  controlCapPerSecond: number;
  linkBurst: number;
  linkPerSecond: number;
}

/** {@link FrameBudgetLimits} filled in from the constants above. */
export function frameBudgetLimits(overrides: Partial<FrameBudgetLimits> = {}): FrameBudgetLimits {
  return {
    controlBurst: CONTROL_FRAME_BURST,
    controlPerSecond: CONTROL_FRAMES_PER_SECOND,
    controlCapBurst: CONTROL_FRAME_CAP_BURST,
    controlCapPerSecond: CONTROL_FRAME_CAP_PER_SECOND,
    linkBurst: LINK_FRAME_BURST,
    linkPerSecond: LINK_FRAMES_PER_SECOND,
    ...overrides,
  };
}

/** A token bucket: holds at most `burst` tokens, and earns `perSecond` back. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly burst: number,
    readonly perSecond: number,
    private readonly now: () => number = realClock.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false (and nothing taken) when none is left. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is there (0 when one is). */
  msUntilToken(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
  }
}

/**
 * Applies work within a {@link TokenBucket}'s budget and coalesces the rest by key: over
 * budget, only the latest work of each key waits (an older one of that key is dropped), and
 * one timer applies what waits as tokens come back. Work waiting when a newer one of another
 * key arrives keeps its place ahead; nothing jumps the queue while something waits.
 */
export class CoalescingBudget<K> {
  private readonly waiting = new Map<K, () => void>();
  private timer: TimerHandle | undefined;
  private closed = false;
  /** Work dropped because newer work of its key replaced it, since the last drain ended. */
  private dropped = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly clock: Clock = realClock,
    /** Called each time everything that waited has been applied, with how much was dropped. */
    private readonly onDrained?: (dropped: number) => void,
  ) {}

  /** Runs `apply` now when within budget (true), or keeps it as `key`'s latest (false). */
  submit(key: K, apply: () => void): boolean {
    if (this.closed) return false;
    if (this.waiting.size === 0 && this.bucket.take()) {
      apply();
      return true;
    }
    if (this.waiting.delete(key)) this.dropped++;
    this.waiting.set(key, apply);
    this.schedule();
    return false;
  }

  /** How many keys have work waiting. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Drops what waits and stops the timer; later work is ignored. Idempotent. */
  close(): void {
    this.closed = true;
    this.waiting.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    const wait = Math.max(1, this.bucket.msUntilToken());
    this.timer = unrefTimeout(
      this.clock,
      () => {
        this.timer = undefined;
        this.drain();
      },
      wait,
    );
  }

  private drain(): void {
    for (const [key, apply] of this.waiting) {
      if (this.closed || !this.bucket.take()) break;
      this.waiting.delete(key);
      apply();
    }
    if (this.closed) return;
    if (this.waiting.size > 0) return this.schedule();
    const dropped = this.dropped;
    this.dropped = 0;
    this.onDrained?.(dropped);
  }
}
