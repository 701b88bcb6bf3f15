/**
 * Logs that repeat once, then count: a peer that sends the same thing thousands of times
 * costs a few lines, not thousands.
 */
import type { LogFields, Logger, LogLevel } from './log.js';

/** Lines of one key logged in full per window before the rest are only counted. */
export const REPEAT_LOG_SHOWN = 2;
/** The longest a window lasts: at most one summary per key per this many milliseconds. */
export const REPEAT_LOG_WINDOW_MS = 60_000;

export interface RepeatLogOptions {
  /** Milliseconds; default `Date.now`. */
  now?: () => number;
  /** Default {@link REPEAT_LOG_WINDOW_MS}. */
  windowMs?: number;
  /** Default {@link REPEAT_LOG_SHOWN}. */
  shown?: number;
}

interface KeyState {
  windowStart: number;
  /** What makes a line the same as the one before: its fields, unless a key was given. */
  identity: string;
  seen: number;
  level: LogLevel;
  message: string;
  /** The fields of the latest line counted, which the summary carries. */
  fields: LogFields;
}

/**
 * Wraps a {@link Logger}. Per key (the message unless given), a line the same as the one
 * before it (same fields; with a key given, any line of that key) is logged
 * {@link REPEAT_LOG_SHOWN} times per window; later repeats are counted, and "`message`
 * repeated N more times" (with a `count` field and the latest fields) is logged when a
 * different line comes, at the first repeat after the window ends, or at {@link flush}. So
 * a change of state is always logged.
 */
export class RepeatLog {
  private readonly keys = new Map<string, KeyState>();
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly shown: number;

  constructor(
    private readonly logger: Logger,
    options: RepeatLogOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? REPEAT_LOG_WINDOW_MS;
    this.shown = options.shown ?? REPEAT_LOG_SHOWN;
  }

  debug(message: string, fields?: LogFields, key?: string): void {
    this.log('debug', message, fields, key);
  }

  info(message: string, fields?: LogFields, key?: string): void {
    this.log('info', message, fields, key);
  }

  warn(message: string, fields?: LogFields, key?: string): void {
    this.log('warn', message, fields, key);
  }

  /** Logs `message`, or counts it when its key has already been logged enough this window. */
  log(level: LogLevel, message: string, fields: LogFields = {}, key?: string): void {
    const now = this.now();
    const identity = key === undefined ? JSON.stringify(fields) : '';
    const slot = key ?? message;
    let state = this.keys.get(slot);
    if (state && (state.identity !== identity || now - state.windowStart >= this.windowMs)) {
      this.summarize(state);
      state = undefined;
    }
    if (!state) {
      state = { windowStart: now, identity, seen: 0, level, message, fields };
      this.keys.set(slot, state);
    }
    state.seen++;
    state.level = level;
    state.message = message;
    state.fields = fields;
    if (state.seen <= this.shown) this.logger[level](message, fields);
  }

  /** Logs the summary of every key with counted lines, and forgets them (e.g. on close). */
  flush(): void {
    for (const state of this.keys.values()) this.summarize(state);
    this.keys.clear();
  }

  private summarize(state: KeyState): void {
    const count = state.seen - this.shown;
    if (count <= 0) return;
    this.logger[state.level](`${state.message} repeated ${count} more times`, {
      ...state.fields,
      count,
    });
  }
}
