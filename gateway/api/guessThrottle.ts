/**
 * Slows down guessing of credentials (API keys, enrollment codes): a client address that
 * has failed too often within a window gets 429 until the window is over, before its
 * request is even looked at. Memory is bounded: the oldest addresses are forgotten first.
 */
import { ApiError } from '../../common/openaiErrors.js';

/** Failed tries one address may make per window before it is held off. */
export const GUESS_LIMIT = 20;
export const GUESS_WINDOW_MS = 60_000;
/** Addresses remembered at once. */
const MAX_TRACKED = 10_000;

/** 429 with when to try again (the gateway's error handler sets `Retry-After`). */
export class TooManyGuessesError extends ApiError {
  constructor(
    what: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      429,
      `Too many failed ${what} from this address; try again in ${retryAfterSeconds} s`,
      'invalid_request_error',
      'rate_limit_exceeded',
    );
  }
}

export class GuessThrottle {
  private readonly misses = new Map<string, { count: number; since: number }>();

  constructor(
    /** What is being guessed, for the message: "API keys", "enrollment codes". */
    private readonly what: string,
    private readonly limit = GUESS_LIMIT,
    private readonly windowMs = GUESS_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws {@link TooManyGuessesError} while `address` is held off. */
  check(address: string): void {
    const entry = this.current(address);
    if (!entry || entry.count < this.limit) return;
    const left = entry.since + this.windowMs - this.now();
    throw new TooManyGuessesError(this.what, Math.max(1, Math.ceil(left / 1000)));
  }

  /** Counts a failed try from `address`. */
  miss(address: string): void {
    const entry = this.current(address);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.misses.size >= MAX_TRACKED) {
      const oldest = this.misses.keys().next().value;
      if (oldest !== undefined) this.misses.delete(oldest);
    }
    this.misses.set(address, { count: 1, since: this.now() });
  }

  /** The address's entry if its window is still open. */
  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.misses.get(address);
    if (entry && this.now() - entry.since >= this.windowMs) {
      this.misses.delete(address);
      return undefined;
    }
    return entry;
  }
}
