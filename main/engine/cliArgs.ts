/** Flags of `byoi-node serve` and `byoi-node enroll`, with their help text and validation. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isHttpUrl } from '../../common/address.js';
import type { ModelPrice } from '../../common/protocol.js';
import { defaultSettings, scheduleModeSchema, type ScheduleMode } from '../../common/settings.js';
import { resolveDataDir, UsageError } from './cliErrors.js';
import { parseModelsArgs, type ModelsConfig } from './modelsArgs.js';
import { secureGatewayURL } from './link/gatewayURL.js';

export { resolveDataDir, UsageError } from './cliErrors.js';

export const DEFAULT_OPENAI_ADDRESS = '127.0.0.1:11480';
export const DEFAULT_CONTROL_ADDRESS = '127.0.0.1:11481';
const DEFAULT_PRICE = defaultSettings().pricing.default;
/** The most a price flag may say, as the protocol allows. */
const MAX_PRICE = 1000;

export const SERVE_HELP = `Usage: byoi-node [serve] [--model FILE.gguf] [options]
       byoi-node enroll --gateway URL --code CODE [--name NAME] [--insecure] [--data-dir DIR]
       byoi-node models pull NAME|URL [--sha256 HEX] [--data-dir DIR]
       byoi-node models write-test-model [PATH] [--template chatml|tools] [--data-dir DIR]
       byoi-node detect [--json]

Serve local GGUF models on an OpenAI-compatible endpoint, and lend them to a BYOI gateway
once the node is enrolled.

Commands:
  serve                 Serve models (the default command)
  enroll                Bind this node's key to an organization with a one-time code
                        from the gateway's operator; prints the node id
  models pull           Download a catalog model (by id) or a GGUF URL into the models
                        folder, resumably, with a progress bar (Ctrl-C keeps the part;
                        run it again to resume)
  models write-test-model
                        Write the generated tiny test model (0.5 MB, random weights) to
                        PATH (default: the models folder), to try the node offline;
                        --template tools gives it a chat template with tool calling
  detect                Print the detected GPUs, CPU and working inference backends

Options for serve:
  --model FILE          GGUF model to serve; repeat for several models. Its id is the
                        file name without ".gguf". Without it the node serves the models
                        chosen in the dashboard (its address is printed at start)
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
  --gateway URL         Link to this gateway (http:// or https://) and serve its jobs;
                        default: the gateway this node enrolled with, if any. The
                        node must be enrolled first ('byoi-node enroll'). Several
                        instances of one gateway, comma-separated (URL1,URL2), are
                        tried in turn: a lost link reconnects to the next
  --no-link             Serve only the local endpoint, even when enrolled
  --insecure            Allow a plain http:// gateway on another machine (a private
                        network you trust); prompts and answers cross it unencrypted.
                        A node enrolled with --insecure keeps linking to that gateway
  --control HOST:PORT   Address of the control API (GET /api/status, POST /api/VERB)
                        for dashboards and scripts (default ${DEFAULT_CONTROL_ADDRESS};
                        port 0 picks a free port). It always needs the bearer token
                        in DATA-DIR/control-token
  --mode MODE           When to serve network jobs: idle, always, scheduled or paused.
                        Saved in DATA-DIR/settings.json; a new headless node starts
                        in 'always'
  --price-prompt USD    Default price per 1M prompt tokens, saved in the settings
                        (a new node starts at ${DEFAULT_PRICE.prompt})
  --price-completion USD
                        Default price per 1M completion tokens, saved in the settings
                        (a new node starts at ${DEFAULT_PRICE.completion})
  --json                Machine mode: print one JSON line on stdout once ready, and log
                        JSON lines on stderr
  --log-level LEVEL     debug, info, warn or error (default info)

Options for enroll:
  --gateway URL         The gateway's address (http:// or https://)
  --code CODE           The one-time enrollment code
  --name NAME           This node's name in the organization (default: the host name)
  --insecure            Allow a plain http:// gateway on another machine (see serve)
  --json                Print the enrollment as one JSON line

Options for models pull:
  --sha256 HEX          Refuse the download unless its SHA-256 is HEX (a catalog model
                        is checked against the catalog's checksum where it has one)

Options for serve, enroll and models:
  --data-dir DIR        Where the node keeps its key (node-key.pem, mode 0600), its
                        enrollment, settings, ledger and stats (env BYOI_DATA_DIR;
                        default ~/.byoi-node)

Other options:
  -h, --help            Show this help
  -v, --version         Show the version
`;

export interface ServeConfig {
  models: string[];
  host: string;
  port: number;
  /** The control API's address. */
  control: { host: string; port: number };
  apiKey: string | undefined;
  threads: number | undefined;
  parallel: number;
  queue: number;
  ctxSize: number | undefined;
  gpu: 'auto' | false;
  json: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The node's data folder (absolute). */
  dataDir: string;
  /** --gateway; undefined means the enrolled gateway, if any. */
  gatewayURL: string | undefined;
  /** --insecure: plain http:// to a gateway on another machine is allowed. */
  insecure: boolean;
  /** False with --no-link: never link to a gateway. */
  link: boolean;
  /** --price-*: the new default price, saved in the settings; absent parts stay as they are. */
  price: Partial<ModelPrice>;
  /** --mode: saved in the settings. */
  mode: ScheduleMode | undefined;
}

export interface EnrollConfig {
  gatewayURL: string;
  /** --insecure: plain http:// to a gateway on another machine is allowed. */
  insecure: boolean;
  code: string;
  name: string | undefined;
  dataDir: string;
  json: boolean;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'detect'; json: boolean }
  | { kind: 'enroll'; config: EnrollConfig }
  | { kind: 'models'; config: ModelsConfig }
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
export function parseAddress(value: string, flag = '--openai'): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535)
    throw new UsageError(`${flag} must look like 127.0.0.1:8080, got '${value}'`);
  return { host: match[1] ?? match[2] ?? '', port };
}

function price(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number > MAX_PRICE) {
    throw new UsageError(`${name} must be a price in USD from 0 to ${MAX_PRICE}, got '${value}'`);
  }
  return number;
}

/** An http(s) gateway URL; plain http:// to another machine only with --insecure. */
function gatewayURLFlag(value: string, insecure: boolean | undefined): string {
  for (const url of value.split(',')) {
    httpURL('--gateway', url);
    try {
      secureGatewayURL(url, insecure);
    } catch (error) {
      throw new UsageError(`--gateway: ${(error as Error).message}`);
    }
  }
  return value;
}

function httpURL(name: string, value: string): string {
  if (!isHttpUrl(value))
    throw new UsageError(`${name} must be an http:// or https:// URL, got '${value}'`);
  return value;
}

const COMMANDS = ['serve', 'detect', 'enroll'] as const;

/** Parses the command line (without `node` and the script). */
export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [first, ...rest] = argv;
  if (first === 'models') return parseModelsArgs(rest, env);
  const command = COMMANDS.find((name) => name === first) ?? 'serve';
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
        control: { type: 'string' },
        mode: { type: 'string' },
        'api-key': { type: 'string' },
        threads: { type: 'string' },
        parallel: { type: 'string' },
        queue: { type: 'string' },
        'ctx-size': { type: 'string' },
        cpu: { type: 'boolean' },
        json: { type: 'boolean' },
        'log-level': { type: 'string' },
        'data-dir': { type: 'string' },
        gateway: { type: 'string' },
        'no-link': { type: 'boolean' },
        insecure: { type: 'boolean' },
        'price-prompt': { type: 'string' },
        'price-completion': { type: 'string' },
        code: { type: 'string' },
        name: { type: 'string' },
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
  const dataDir = resolveDataDir(values['data-dir'], env);
  const misplaced = (flags: string[]) =>
    flags.find((flag) => (values as Record<string, unknown>)[flag] !== undefined);
  if (command === 'enroll') {
    const serveFlag = misplaced([
      'model',
      'openai',
      'control',
      'mode',
      'no-link',
      'price-prompt',
      'price-completion',
    ]);
    if (serveFlag) throw new UsageError(`--${serveFlag} is an option of serve, not of enroll`);
    if (!values.gateway) throw new UsageError('enroll needs --gateway URL');
    if (!values.code) throw new UsageError('enroll needs --code CODE');
    return {
      kind: 'enroll',
      config: {
        gatewayURL: gatewayURLFlag(values.gateway, values.insecure),
        insecure: values.insecure ?? false,
        code: values.code,
        name: values.name || undefined,
        dataDir,
        json: values.json ?? false,
      },
    };
  }

  const enrollFlag = misplaced(['code', 'name']);
  if (enrollFlag) throw new UsageError(`--${enrollFlag} is an option of enroll, not of serve`);
  const models = values.model ?? [];
  const logLevel = values['log-level'] ?? 'info';
  if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'warn' && logLevel !== 'error') {
    throw new UsageError(`--log-level must be debug, info, warn or error, got '${logLevel}'`);
  }
  const { host, port } = parseAddress(values.openai ?? DEFAULT_OPENAI_ADDRESS);
  const mode = values.mode;
  if (mode !== undefined && !scheduleModeSchema.safeParse(mode).success) {
    throw new UsageError(`--mode must be idle, always, scheduled or paused, got '${mode}'`);
  }
  if (values['no-link'] && values.gateway !== undefined) {
    throw new UsageError('--no-link and --gateway cannot be used together');
  }
  return {
    kind: 'serve',
    config: {
      models,
      host,
      port,
      control: parseAddress(values.control ?? DEFAULT_CONTROL_ADDRESS, '--control'),
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
      dataDir,
      gatewayURL:
        values.gateway === undefined ? undefined : gatewayURLFlag(values.gateway, values.insecure),
      insecure: values.insecure ?? false,
      link: !values['no-link'],
      price: definedOnly({
        prompt: price('--price-prompt', values['price-prompt']),
        completion: price('--price-completion', values['price-completion']),
      }),
      mode: mode === undefined ? undefined : scheduleModeSchema.parse(mode),
    },
  };
}

function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** Threads to generate with when none were set: one per physical core. */
export function defaultThreads(physicalCores: number | undefined): number {
  return Math.max(1, physicalCores ?? availableParallelism());
}
