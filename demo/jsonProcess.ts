/**
 * Runs one of our CLIs (`byoi-node`, `byoi-gateway`) as a child process in `--json` mode and
 * waits on what it says: the one ready line on stdout, and JSON log lines on stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const NODE_BIN = fileURLToPath(new URL('../bin/byoi-node.js', import.meta.url));
export const GATEWAY_BIN = fileURLToPath(new URL('../bin/byoi-gateway.js', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string };

export interface JsonProcess<Ready> {
  child: ChildProcessWithoutNullStreams;
  ready: Ready;
  logs: LogLine[];
  /**
   * Resolves with the first log line, past or future, that matches; with `from`, only lines
   * from that index of `logs` on (take `logs.length` before acting to wait for what follows).
   */
  waitForLog(match: (line: LogLine) => boolean, from?: number): Promise<LogLine>;
  /** Sends SIGTERM (or `signal`) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Copy the child's stderr to ours (the demo's `--verbose`). */
  echoLogs?: boolean;
}

/** Spawns `node <bin> ...args` and resolves once it prints its JSON ready line. */
export async function spawnJsonProcess<Ready>(
  bin: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<JsonProcess<Ready>> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...options.env },
  });
  const logs: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stderr }).on('line', (text) => {
    if (options.echoLogs) process.stderr.write(text + '\n');
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = once(child, 'exit');
  const stdout = createInterface({ input: child.stdout });
  const readyText = await Promise.race([
    once(stdout, 'line').then(([line]) => line as string),
    exited.then(([code]) => {
      const said = logs
        .map((line) => (typeof line.msg === 'string' ? line.msg : JSON.stringify(line)))
        .join('\n');
      throw new Error(`${bin} exited with ${String(code)} before it was ready:\n${said}`);
    }),
  ]);
  return {
    child,
    ready: JSON.parse(readyText) as Ready,
    logs,
    waitForLog: (match, from = 0) => {
      const seen = logs.slice(from).find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}

/** Runs `node <bin> ...args` to completion and returns its exit code and output. */
export async function runToCompletion(bin: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}
