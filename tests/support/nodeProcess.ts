/**
 * Runs the real built `byoi-node` CLI as a child process and waits on its output:
 * the `--json` ready line on stdout, and JSON log lines on stderr.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const NODE_BIN = fileURLToPath(new URL('../../bin/byoi-node.js', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string };

export interface ReadyLine {
  event: 'ready';
  pid: number;
  openaiBaseURL: string;
  models: string[];
}

export interface NodeProcess {
  child: ChildProcessWithoutNullStreams;
  ready: ReadyLine;
  logs: LogLine[];
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `byoi-node` with `--json --openai 127.0.0.1:0` plus `args`, and `--threads 1`
 * unless `env.BYOI_THREADS` sets it.
 */
export async function startNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  const threads = env.BYOI_THREADS ? [] : ['--threads', '1'];
  const child = spawn(
    process.execPath,
    [NODE_BIN, '--json', '--openai', '127.0.0.1:0', ...threads, ...args],
    {
      env: { ...process.env, ...env },
    },
  );
  const logs: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stderr }).on('line', (text) => {
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
      throw new Error(
        `byoi-node exited with ${String(code)} before ready:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`,
      );
    }),
  ]);
  const ready = JSON.parse(readyText) as ReadyLine;
  return {
    child,
    ready,
    logs,
    waitForLog: (match) => {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

/** Runs `byoi-node` to completion and returns its exit code and output. */
export async function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [NODE_BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}
