/**
 * The logger of the engine and the gateway: one line per entry, JSON lines in machine mode
 * or readable lines otherwise. The CLIs write to stderr (stdout is reserved for the `--json`
 * ready line). Callers never pass prompt or completion text: only ids, counts and timings.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  /** Where lines go (the CLIs pass stderr; common/ has no process to default to). */
  write: (line: string) => void;
}

/** Creates a logger that writes one line per entry. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const { write } = options;
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (ORDER[level] < threshold) return;
    const time = new Date().toISOString();
    if (options.json) {
      write(JSON.stringify({ time, level, msg: message, ...fields }) + '\n');
      return;
    }
    const extras = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extras ? ' ' + extras : ''}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that drops everything, for library use and tests. */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => undefined });

/**
 * Joins the lines written within a millisecond into one write, so that a busy server pays
 * one system call for many lines. `flush` writes what waits at once (call it on exit).
 */
export function batchedWrite(write: (text: string) => void): {
  write: (line: string) => void;
  flush: () => void;
} {
  let waiting: string[] = [];
  const flush = (): void => {
    if (waiting.length === 0) return;
    const text = waiting.join('');
    waiting = [];
    write(text);
  };
  return {
    write: (line) => {
      if (waiting.push(line) === 1) setTimeout(flush, 0);
    },
    flush,
  };
}

/** An error as a log field: its message, or the value as text. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
