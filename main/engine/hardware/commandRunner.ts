/**
 * Running vendor tools (nvidia-smi, rocm-smi) behind an injectable runner, and turning
 * every way they can go wrong into a probe outcome instead of an exception.
 */
import { execFile } from 'node:child_process';
import type { ProbeResult } from '../../../common/hardware.js';

/** What a finished command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` with `args`. Resolves on exit code 0; rejects otherwise with an error shaped
 * like Node's `execFile` error (`code` = 'ENOENT' or the exit code, `killed`/`signal` on
 * timeout, `stdout`/`stderr` when the tool printed something). Injected in tests.
 */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  options: { timeoutMs: number },
) => Promise<CommandOutput>;

/** Default timeout for one vendor-tool call; nvidia-smi can hang when a driver is wedged. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 3000;

/** The real runner: `execFile`, no shell, hidden window on Windows. */
export const execFileRunner: CommandRunner = (file, args, { timeoutMs }) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        windowsHide: true,
        maxBuffer: 4 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stdout, stderr }));
        else resolve({ stdout, stderr });
      },
    );
  });

/** Result of {@link runTool}: the output, "tool not installed", or a failure message. */
export type ToolRun =
  | { kind: 'ok'; stdout: string; durationMs: number }
  | { kind: 'absent'; durationMs: number }
  | { kind: 'failed'; error: string; durationMs: number };

interface ExecErrorFields {
  code?: unknown;
  killed?: unknown;
  signal?: unknown;
  stdout?: unknown;
  stderr?: unknown;
  message?: unknown;
}

const TIMED_OUT = Symbol('timed out');

function firstLine(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '');
  return line === undefined ? undefined : line.trim().slice(0, 200);
}

/** Turns whatever a runner rejected with into one readable sentence. */
export function describeExecError(file: string, error: unknown, timeoutMs: number): string {
  const e: ExecErrorFields =
    typeof error === 'object' && error !== null ? error : { message: String(error) };
  if (e.killed === true || e.code === 'ETIMEDOUT') return `${file} timed out after ${timeoutMs} ms`;
  const detail = firstLine(e.stderr) ?? firstLine(e.stdout);
  if (typeof e.code === 'number')
    return `${file} exited with code ${e.code}${detail ? `: ${detail}` : ''}`;
  if (typeof e.signal === 'string') return `${file} was killed by ${e.signal}`;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return `${file} failed: ${firstLine(message) ?? 'unknown error'}`;
}

/** True when the runner says the binary does not exist (not an error: no such GPU stack). */
export function isNotInstalled(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as ExecErrorFields).code === 'ENOENT'
  );
}

/**
 * Runs a tool and never throws. Adds its own timer on top of the runner's, so a runner
 * that never settles (a wedged driver, or a test double) still ends in time.
 */
export async function runTool(
  exec: CommandRunner,
  file: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<ToolRun> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs + 500);
  });
  try {
    const out = await Promise.race([exec(file, args, { timeoutMs }), guard]);
    if (out === TIMED_OUT)
      return {
        kind: 'failed',
        error: `${file} timed out after ${timeoutMs} ms`,
        durationMs: elapsed(),
      };
    return {
      kind: 'ok',
      stdout: typeof out.stdout === 'string' ? out.stdout : '',
      durationMs: elapsed(),
    };
  } catch (error) {
    if (isNotInstalled(error)) return { kind: 'absent', durationMs: elapsed() };
    return {
      kind: 'failed',
      error: describeExecError(file, error, timeoutMs),
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Probe entry for a tool run that produced no parse step of its own. */
export function probeFromRun(name: string, run: ToolRun): ProbeResult {
  if (run.kind === 'absent')
    return { name, ok: true, note: 'not installed', durationMs: run.durationMs };
  if (run.kind === 'failed')
    return { name, ok: false, error: run.error, durationMs: run.durationMs };
  return { name, ok: true, durationMs: run.durationMs };
}

/**
 * Parses a number the way vendor tools print them: "[N/A]", "[Not Supported]", "N/A",
 * "" and anything non-numeric become `null`; trailing units ("45.0 C", "12 %") are ignored.
 */
export function parseMeasurement(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '' || text.startsWith('[') || /^n\/?a$/i.test(text)) return null;
  const match = /^-?\d+(?:\.\d+)?/.exec(text);
  if (!match) return null;
  const value = Number(match[0]);
  return Number.isFinite(value) ? value : null;
}
