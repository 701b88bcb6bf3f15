/**
 * Log files for the app, with electron-log: `main.log` (the shell) and `engine.log` (the
 * engine's JSON lines, verbatim) in the OS's logs folder, each rotated at 5 MB keeping
 * `.1` to `.3`. Nothing here logs prompts or completions: the shell logs verbs and reasons
 * only, and the engine logs them only when the provider turned `logPrompts` on.
 * electron-log's renderer bridge (`initialize()`) is deliberately not used: it would open
 * an IPC channel outside the gate.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, parse } from 'node:path';
import type { Logger, LogFields } from '../../common/log.js';

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
/** Rotated files kept besides the live one. */
export const LOG_KEEP = 3;

/** The part of an electron-log instance this module configures. */
export interface FileLogLike {
  transports: {
    file: {
      maxSize: number;
      format: unknown;
      resolvePathFn: (...args: never[]) => string;
      // A method, so electron-log's (file: LogFile) => void fits.
      archiveLogFn(file: { readonly path: string }): void;
    };
    console: { level: unknown };
  };
  debug(...params: unknown[]): void;
  info(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  error(...params: unknown[]): void;
}

/** `x.log` → `x.1.log` → … → `x.<keep>.log`; the oldest is dropped. */
export function rotateLogFiles(path: string, keep = LOG_KEEP): void {
  const { dir, name, ext } = parse(path);
  const numbered = (n: number) => join(dir, `${name}.${n}${ext}`);
  rmSync(numbered(keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    if (existsSync(numbered(n))) renameSync(numbered(n), numbered(n + 1));
  }
  renameSync(path, numbered(1));
}

/** Sends `log`'s file transport to `<logsDir>/<fileName>`, rotated. */
export function configureFileLog(
  log: FileLogLike,
  logsDir: string,
  fileName: string,
  options: { verbatim?: boolean; console?: boolean } = {},
): void {
  const file = log.transports.file;
  file.resolvePathFn = () => join(logsDir, fileName);
  file.maxSize = LOG_MAX_BYTES;
  file.archiveLogFn = (current) => {
    try {
      rotateLogFiles(current.path);
    } catch {
      // electron-log truncates the file when it cannot be moved; a lost old log is acceptable.
    }
  };
  if (options.verbatim) file.format = '{text}';
  if (options.console === false) log.transports.console.level = false;
}

/** The common/ Logger over electron-log: message, then the fields as one JSON object. */
export function toLogger(log: FileLogLike): Logger {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      const defined = Object.entries(fields ?? {}).filter(([, value]) => value !== undefined);
      if (defined.length === 0) log[level](message);
      else log[level](message, JSON.stringify(Object.fromEntries(defined)));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
