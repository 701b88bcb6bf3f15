/** Flags of `byoi-node serve`, with their help text and validation. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

export const DEFAULT_OPENAI_ADDRESS = '127.0.0.1:11480';

export const SERVE_HELP = `Usage: byoi-node [serve] --model FILE.gguf [options]
       byoi-node detect [--json]

Serve local GGUF models on an OpenAI-compatible endpoint.

Commands:
  serve                 Serve models (the default command)
  detect                Print the detected GPUs, CPU and working inference backends

Options for serve:
  --model FILE          GGUF model to serve; repeat for several models. Its id is the
                        file name without ".gguf"
  --openai HOST:PORT    Address of the OpenAI-compatible endpoint
                        (default ${DEFAULT_OPENAI_ADDRESS}; port 0 picks a free port)
  --api-key KEY         Require "Authorization: Bearer KEY" (env BYOI_API_KEY). Needed
                        when HOST is not a loopback address
  --threads N           CPU threads for generation (env BYOI_THREADS; default: the
                        number of physical cores)
  --parallel N          Requests generated at once per model (default 2)
  --queue N             Requests that may wait for a free slot before new ones get
                        HTTP 503 (default 16)
  --ctx-size N          Tokens per request, prompt plus completion (default: the model's
                        training context, at most 4096)
  --cpu                 Do not use the GPU even if one works
  --json                Machine mode: print one JSON line on stdout once ready, and log
                        JSON lines on stderr
  --log-level LEVEL     debug, info, warn or error (default info)
  -h, --help            Show this help
  -v, --version         Show the version
`;

export interface ServeConfig {
  models: string[];
  host: string;
  port: number;
  apiKey: string | undefined;
  threads: number | undefined;
  parallel: number;
  queue: number;
  ctxSize: number | undefined;
  gpu: 'auto' | false;
  json: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** A mistake in the command line, shown to the user with the hint to read --help. */
export class UsageError extends Error {}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'detect'; json: boolean }
  | { kind: 'serve'; config: ServeConfig };

function positiveInteger(name: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) {
    throw new UsageError(`${name} must be a whole number of at least ${min}, got '${value}'`);
  }
  return number;
}

/** Parses `HOST:PORT` (IPv6 as `[::1]:PORT`). */
export function parseAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535)
    throw new UsageError(`--openai must look like 127.0.0.1:8080, got '${value}'`);
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Parses the command line (without `node` and the script). */
export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [first, ...rest] = argv;
  const command = first === 'serve' || first === 'detect' ? first : 'serve';
  const args = command === first ? rest : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string', multiple: true },
        openai: { type: 'string' },
        'api-key': { type: 'string' },
        threads: { type: 'string' },
        parallel: { type: 'string' },
        queue: { type: 'string' },
        'ctx-size': { type: 'string' },
        cpu: { type: 'boolean' },
        json: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (command === 'detect') return { kind: 'detect', json: values.json ?? false };

  const models = values.model ?? [];
  if (models.length === 0) throw new UsageError('--model FILE.gguf is required');
  const logLevel = values['log-level'] ?? 'info';
  if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn' && logLevel !== 'error') {
    throw new UsageError(`--log-level must be debug, info, warn or error, got '${logLevel}'`);
  }
  const { host, port } = parseAddress(values.openai ?? DEFAULT_OPENAI_ADDRESS);
  return {
    kind: 'serve',
    config: {
      models,
      host,
      port,
      apiKey: values['api-key'] || env.BYOI_API_KEY || undefined,
      threads:
        positiveInteger('--threads', values.threads) ??
        positiveInteger('BYOI_THREADS', env.BYOI_THREADS || undefined),
      parallel: positiveInteger('--parallel', values.parallel) ?? 2,
      queue: positiveInteger('--queue', values.queue, 0) ?? 16,
      ctxSize: positiveInteger('--ctx-size', values['ctx-size'], 16),
      gpu: values.cpu ? false : 'auto',
      json: values.json ?? false,
      logLevel,
    },
  };
}

/** Threads to generate with when none were set: one per physical core. */
export function defaultThreads(physicalCores: number | undefined): number {
  return Math.max(1, physicalCores ?? availableParallelism());
}
