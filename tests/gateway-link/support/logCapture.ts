/** A logger that keeps every line, so tests can wait for a log line instead of sleeping. */
import type { LogFields, Logger, LogLevel } from '../../../common/log.js';

/** One captured log line. */
export interface LogLine extends LogFields {
  level: LogLevel;
  msg: string;
}

/** A {@link Logger} with every line it got, and a way to wait for one. */
export interface LogCapture extends Logger {
  lines: LogLine[];
  /** The first line (already logged or still to come) that matches. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
}

export function captureLogs(): LogCapture {
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      const line = { ...fields, level, msg };
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.match(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    waitFor(match) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
