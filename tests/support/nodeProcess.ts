/** The real built `byoi-node` CLI as a child process, for tests and benchmarks. */
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
 * Starts `byoi-node` with `--json --openai 127.0.0.1:0` plus `args`, and `--threads 1`
 * unless `env.BYOI_THREADS` sets it.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  const threads = env.BYOI_THREADS ? [] : ['--threads', '1'];
  return spawnJsonProcess<ReadyLine>(
    NODE_BIN,
    ['--json', '--openai', '127.0.0.1:0', ...threads, ...args],
    { env },
  );
}

/** Runs `byoi-node` to completion and returns its exit code and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runToCompletion(NODE_BIN, args, env);
}
