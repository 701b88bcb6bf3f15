/**
 * A circuit breaker per route. It opens after {@link CONSECUTIVE_FAILURES} failures in a
 * row, or when at least half of the last {@link WINDOW_MS}'s requests failed (with at least
 * {@link MIN_WINDOW_REQUESTS} of them). While open the route is skipped; after a cooldown
 * (10 s, doubling on each re-open up to 5 min) it is half-open and lets exactly one probe
 * through. The probe's success closes it, its failure re-opens it. A passing health check
 * closes it too, but only once the cooldown is over.
 */
import type { BreakerState } from '../../common/adminRecords.js';

export const CONSECUTIVE_FAILURES = 3;
export const MIN_WINDOW_REQUESTS = 5;
export const WINDOW_MS = 60_000;
export const FIRST_COOLDOWN_MS = 10_000;
export const MAX_COOLDOWN_MS = 5 * 60_000;
/** Outcomes kept for the failure rate, at most (older ones fall out of the window anyway). */
export const MAX_OUTCOMES = 1000;

/** What `onChange` hears: the breaker opened (or re-opened), or it closed. */
export type BreakerChange =
  { state: 'open'; reason: string; retryAt: number; cooldownMs: number } | { state: 'closed' };

interface Outcome {
  at: number;
  ok: boolean;
}

export class CircuitBreaker {
  private current: 'closed' | 'open' = 'closed';
  private consecutive = 0;
  /** In time order, so that pruning drops from the front. */
  private outcomes: Outcome[] = [];
  private cooldownMs = FIRST_COOLDOWN_MS;
  private openUntil = 0;
  private probeOut = false;
  lastError: string | null = null;
  /** ms since the epoch (the injected clock's time). */
  lastErrorAt: number | null = null;

  /**
   * @param now the clock, ms.
   * @param onChange called on every open and close; the router wakes queued requests when
   *   a breaker closes.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly onChange: (change: BreakerChange) => void = () => {},
  ) {}

  /** closed, open, or half-open (open, with the cooldown over). */
  state(): BreakerState {
    if (this.current === 'open' && this.now() >= this.openUntil) return 'half-open';
    return this.current;
  }

  /** When an open breaker lets its probe through (ms, the clock's time), or null when closed. */
  retryAt(): number | null {
    return this.current === 'open' ? this.openUntil : null;
  }

  /** Whether a request could go now. No side effect: use {@link acquire} to send one. */
  allows(): boolean {
    const state = this.state();
    return state === 'closed' || (state === 'half-open' && !this.probeOut);
  }

  /**
   * Takes the right to send a request: always when closed, and in half-open the one probe,
   * so that two callers never both probe. End the try with {@link recordSuccess},
   * {@link recordFailure}, or {@link release} when it gave no verdict on health.
   */
  acquire(): boolean {
    if (!this.allows()) return false;
    if (this.current === 'open') this.probeOut = true;
    return true;
  }

  /** A try ended with no verdict on health (busy, a bad request): a probe taken may go again. */
  release(): void {
    this.probeOut = false;
  }

  recordSuccess(): void {
    this.record(true);
    this.consecutive = 0;
    // A success from before the cooldown ended (a try started while closed) proves little.
    if (this.state() === 'half-open') this.close();
  }

  recordFailure(reason: string): void {
    this.record(false);
    this.consecutive++;
    this.noteError(reason);
    if (this.current === 'open') {
      // A failed probe re-opens it; failures of tries from before it opened change nothing.
      if (this.state() === 'half-open') this.reopen(reason);
      return;
    }
    if (this.consecutive >= CONSECUTIVE_FAILURES || this.failureRateTrips()) {
      this.open(reason, this.cooldownMs);
    }
  }

  /** An active health check passed: closes an open breaker whose cooldown is over. */
  healthOk(): void {
    if (this.state() === 'half-open') this.close();
  }

  /**
   * An active health check failed: a failure like a try's when closed, and like a failed
   * probe when half-open. During the cooldown it only notes the error (never extends it).
   */
  healthFailed(reason: string): void {
    const state = this.state();
    if (state === 'closed') return this.recordFailure(reason);
    this.noteError(reason);
    if (state === 'half-open' && !this.probeOut) this.reopen(reason);
  }

  private noteError(reason: string): void {
    this.lastError = reason;
    this.lastErrorAt = this.now();
  }

  private failureRateTrips(): boolean {
    this.prune();
    if (this.outcomes.length < MIN_WINDOW_REQUESTS) return false;
    const failed = this.outcomes.reduce((sum, outcome) => sum + (outcome.ok ? 0 : 1), 0);
    return failed * 2 >= this.outcomes.length;
  }

  private record(ok: boolean): void {
    this.outcomes.push({ at: this.now(), ok });
    this.prune();
  }

  /** Drops outcomes older than the window, and the oldest beyond {@link MAX_OUTCOMES}. */
  private prune(): void {
    const since = this.now() - WINDOW_MS;
    let drop = 0;
    while (drop < this.outcomes.length && this.outcomes[drop]!.at <= since) drop++;
    drop = Math.max(drop, this.outcomes.length - MAX_OUTCOMES);
    if (drop > 0) this.outcomes.splice(0, drop);
  }

  private reopen(reason: string): void {
    this.open(reason, Math.min(this.cooldownMs * 2, MAX_COOLDOWN_MS));
  }

  private open(reason: string, cooldownMs: number): void {
    this.current = 'open';
    this.cooldownMs = cooldownMs;
    this.openUntil = this.now() + cooldownMs;
    this.probeOut = false;
    this.onChange({ state: 'open', reason, retryAt: this.openUntil, cooldownMs });
  }

  private close(): void {
    this.current = 'closed';
    this.cooldownMs = FIRST_COOLDOWN_MS;
    this.consecutive = 0;
    // The failures that opened it must not trip it again at once.
    this.outcomes = [];
    this.probeOut = false;
    this.onChange({ state: 'closed' });
  }
}
