/** The real built `byoi-node` CLI as a child process, for tests and benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NODE_BIN,
  runToCompletion,
  spawnJsonProcess,
  type JsonProcess,
} from '../../demo/jsonProcess.js';

export type { LogLine } from '../../demo/jsonProcess.js';

export interface ReadyLine {
  event: 'ready';
  pid: number;
  openaiBaseURL: string;
  models: string[];
  threads: number;
  nodeId?: string | null;
  link?: 'online' | 'offline' | 'disabled';
}

export type NodeProcess = JsonProcess<ReadyLine>;

/**
 * A fresh data folder unless the test gives one, so no test ever reads the machine's own
 * `~/.byoi-node`; `remove` deletes it once the process has exited (a given one is the test's).
 */
function hermetic(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; remove(): void } {
  if (env.BYOI_DATA_DIR) return { env, remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'byoi-node-data-'));
  return {
    env: { BYOI_DATA_DIR: dir, ...env },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts `byoi-node` with `--json --openai 127.0.0.1:0` plus `args`, `--threads 1` unless
 * `env.BYOI_THREADS` sets it, and `--control 127.0.0.1:0` unless `args` name one.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  const threads = env.BYOI_THREADS ? [] : ['--threads', '1'];
  // The dashboard's default port would make tests that run at once collide.
  const control = args.includes('--control') ? [] : ['--control', '127.0.0.1:0'];
  const data = hermetic(env);
  const started = spawnJsonProcess<ReadyLine>(
    NODE_BIN,
    ['--json', '--openai', '127.0.0.1:0', ...threads, ...control, ...args],
    { env: data.env },
  );
  started.then(
    (node) => node.child.once('exit', () => data.remove()),
    () => data.remove(),
  );
  return started;
}

/** Runs `byoi-node` to completion and returns its exit code and output. */
export async function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  const data = hermetic(env);
  try {
    return await runToCompletion(NODE_BIN, args, data.env);
  } finally {
    data.remove();
  }
}
