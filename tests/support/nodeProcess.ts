/** The real built `byoi-node` CLI as a child process, for tests and benchmarks. */
import { mkdtempSync } from 'node:fs';
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

/** A fresh data folder, so no test ever reads the machine's own `~/.byoi-node`. */
const hermetic = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  BYOI_DATA_DIR: mkdtempSync(join(tmpdir(), 'byoi-node-data-')),
  ...env,
});

/**
 * Starts `byoi-node` with `--json --openai 127.0.0.1:0` plus `args`, and `--threads 1`
 * unless `env.BYOI_THREADS` sets it.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  const threads = env.BYOI_THREADS ? [] : ['--threads', '1'];
  return spawnJsonProcess<ReadyLine>(
    NODE_BIN,
    ['--json', '--openai', '127.0.0.1:0', ...threads, ...args],
    { env: hermetic(env) },
  );
}

/** Runs `byoi-node` to completion and returns its exit code and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runToCompletion(NODE_BIN, args, hermetic(env));
}
