/**
 * The most recent log entries, kept in memory for the dashboard's log view and the
 * diagnostics: a ring that parses the lines `createLogger` writes, JSON or readable.
 */
import type { LogEntry } from '../../../common/nodeApi.js';

const LEVELS = new Set<LogEntry['level']>(['debug', 'info', 'warn', 'error']);
/** `2024-05-01T10:00:00.000Z INFO  message key=value` as createLogger writes it. */
const PLAIN_LINE = /^(\d{4}-\d\d-\d\dT\S+)\s+(DEBUG|INFO|WARN|ERROR)\s+(.*)$/;
const TRAILING_FIELD = /\s([\w.-]+)=(\S*)$/;

function plainValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** Reads one line the logger wrote; anything unrecognised becomes an `info` entry. */
export function parseLogLine(line: string, now: () => Date = () => new Date()): LogEntry {
  const text = line.trim();
  if (text.startsWith('{')) {
    try {
      const { time, level, msg, ...fields } = JSON.parse(text) as Record<string, unknown>;
      if (typeof msg === 'string' && LEVELS.has(level as LogEntry['level'])) {
        return {
          time: typeof time === 'string' ? time : now().toISOString(),
          level: level as LogEntry['level'],
          msg,
          fields,
        };
      }
    } catch {
      // Not JSON after all: keep it as a plain line.
    }
  }
  const match = PLAIN_LINE.exec(text);
  if (!match) return { time: now().toISOString(), level: 'info', msg: text, fields: {} };
  // Fields are `key=value` pairs at the end; the message is what comes before them.
  let rest = ' ' + match[3]!;
  const pairs: [string, unknown][] = [];
  for (let field = TRAILING_FIELD.exec(rest); field; field = TRAILING_FIELD.exec(rest)) {
    pairs.unshift([field[1]!, plainValue(field[2]!)]);
    rest = rest.slice(0, field.index);
  }
  return {
    time: match[1]!,
    level: match[2]!.toLowerCase() as LogEntry['level'],
    msg: rest.trim(),
    fields: Object.fromEntries(pairs),
  };
}

/** The last `capacity` log entries; older ones drop out. */
export class LogRing {
  private readonly buffer: LogEntry[] = [];
  /** Where the oldest entry is once the buffer is full. */
  private head = 0;

  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('capacity must be a positive integer');
    }
  }

  /** Adds the entries of what a logger wrote (one line, or several separated by newlines). */
  write(line: string): void {
    for (const part of line.split('\n')) {
      if (part.trim() !== '') this.push(parseLogLine(part));
    }
  }

  /** Adds one entry as it is. */
  push(entry: LogEntry): void {
    if (this.buffer.length < this.capacity) {
      this.buffer.push(entry);
      return;
    }
    this.buffer[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
  }

  /** The last `limit` entries (all by default), newest last. */
  entries(limit = this.capacity): LogEntry[] {
    const ordered = [...this.buffer.slice(this.head), ...this.buffer.slice(0, this.head)];
    return limit >= ordered.length ? ordered : ordered.slice(ordered.length - Math.max(0, limit));
  }

  /** Warnings and errors logged at or after `since` (ms since the epoch), oldest first. */
  errorsSince(since: number): LogEntry[] {
    return this.entries().filter(
      (entry) =>
        (entry.level === 'warn' || entry.level === 'error') && Date.parse(entry.time) >= since,
    );
  }
}

/**
 * A logger `write` that also keeps each line in `ring`: pass it as `createLogger`'s
 * `write`, e.g. `createLogger({ json: true, write: teeToRing(ring, (l) => process.stderr.write(l)) })`.
 */
export function teeToRing(ring: LogRing, write: (line: string) => void): (line: string) => void {
  return (line) => {
    ring.write(line);
    write(line);
  };
}
