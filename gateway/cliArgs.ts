/** Flags of `byoi-gateway`, with their help text and validation. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isHttpUrl } from '../common/address.js';
import type { LogLevel } from '../common/log.js';
import {
  DEFAULT_FEE_BASIS_POINTS,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MARKET_INTERVAL_MS,
  DEFAULT_MAX_PRICE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_QUARANTINE_AFTER,
  DEFAULT_QUEUE_LENGTH,
  DEFAULT_QUEUE_WAIT_MS,
} from './defaults.js';
import { checkPostgresUrl } from './store/databaseUrl.js';

export const GATEWAY_HELP = `Usage: byoi-gateway [serve] [options]
       byoi-gateway admin [--data-dir DIR] [--database URL] COMMAND ...
       byoi-gateway admin --url URL --admin-token T COMMAND ...

The BYOI network gateway: an OpenAI-compatible API for clients (API keys), the WebSocket
endpoint that nodes dial out to, routing with failover, and accounting with signed receipts.

Commands:
  serve                 Run the gateway (the default command)
  admin COMMAND         Manage organizations, API keys, enrollment codes, nodes, usage,
                        upstream providers and routing rules.
                        Run 'byoi-gateway admin help' for its commands. Without --url it
                        opens the database directly (a data folder only while no gateway
                        runs on it); with --url it uses a running gateway's admin API

Options for serve:
  --host HOST           Address to listen on (default 127.0.0.1). Any other address is
                        allowed, with a warning: API keys and the admin token guard it
  --port PORT           Port (default ${DEFAULT_GATEWAY_PORT}; 0 picks a free port)
  --data-dir DIR        Database, signing key and admin token (env BYOI_GATEWAY_DATA_DIR;
                        default ~/.byoi-gateway)
  --database URL        Keep the database on a PostgreSQL server instead of in DIR, e.g.
                        postgres://user:password@db.example.com:5432/byoi (env
                        BYOI_DATABASE_URL). Gateways on one database form a cluster: they
                        share keys, nodes, usage, the signing key and the admin token (kept
                        in the database), and relay requests to the one holding a node
  --relay-url URL       Where the other gateways of the cluster reach this one (default
                        its own listening URL)
  --admin-token TOKEN   Bearer token of the admin API (env BYOI_ADMIN_TOKEN; default: read
                        from, or created in, DIR/admin-token with mode 0600)
  --fee-bps N           Network fee in basis points of each charge (default
                        ${DEFAULT_FEE_BASIS_POINTS} = 10 %; 0 to 10000)
  --max-price P/C       Most the gateway pays a node, USD per 1M prompt/completion tokens
                        (default 10/20)
  --heartbeat-ms N      Ping interval for node links; two missed pongs drop a node
                        (default ${DEFAULT_HEARTBEAT_MS})
  --market-interval-ms N
                        How often nodes are told what the network pays, when it changed
                        (default ${DEFAULT_MARKET_INTERVAL_MS})
  --config FILE         A YAML file of upstream providers and routing rules, applied at
                        start (again on every start: applying twice changes nothing).
                        \${ENV_NAME} in any value is read from the environment
  --connect-timeout-ms N
                        ms to connect to a provider, or for a node to accept a job, before
                        the next route is tried (default ${DEFAULT_CONNECT_TIMEOUT_MS})
  --first-token-timeout-ms N
                        ms a try may take to its first output before failing over
                        (default ${DEFAULT_FIRST_TOKEN_TIMEOUT_MS})
  --stall-timeout-ms N  ms a node may go silent mid-job before the job fails over (a stream
                        continues on another node) (default ${DEFAULT_STALL_TIMEOUT_MS})
  --quarantine-after N  Faults (over-reported usage, stalls, silent offers, malformed
                        output) after which a node gets no offers until an operator runs
                        'admin nodes clear' (default ${DEFAULT_QUARANTINE_AFTER}; 0: never)
  --queue-wait-ms N     How long a request waits while every allowed route is busy
                        (default ${DEFAULT_QUEUE_WAIT_MS})
  --queue-length N      Requests that may wait per model (default ${DEFAULT_QUEUE_LENGTH})
  --health-interval-ms N
                        How often each provider's free GET /models is checked
                        (default ${DEFAULT_HEALTH_INTERVAL_MS})
  --json                Machine mode: print one JSON line on stdout once ready, and log
                        JSON lines on stderr
  --log-level LEVEL     debug, info, warn or error (default info)
  -h, --help            Show this help
  -v, --version         Show the version

Options for admin:
  --data-dir DIR        As above
  --database URL        As above (env BYOI_DATABASE_URL)
  --url URL             A running gateway (e.g. http://127.0.0.1:${DEFAULT_GATEWAY_PORT})
  --admin-token TOKEN   Its admin token (env BYOI_ADMIN_TOKEN; default: DIR/admin-token)
`;

export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  /** A PostgreSQL URL for the store; undefined: PGlite in the data folder. */
  database: string | undefined;
  /** Where other instances of a cluster reach this one; undefined: its listening URL. */
  relayUrl: string | undefined;
  adminToken: string | undefined;
  feeBasisPoints: number;
  maxPrice: { prompt: number; completion: number };
  heartbeatMs: number;
  marketIntervalMs: number;
  /** The YAML file of providers and routing rules, if any. */
  configFile: string | undefined;
  connectTimeoutMs: number;
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  quarantineAfter: number;
  queueWaitMs: number;
  queueLength: number;
  healthIntervalMs: number;
  json: boolean;
  logLevel: LogLevel;
}

export interface AdminConfig {
  dataDir: string;
  /** A PostgreSQL URL for the store; undefined: PGlite in the data folder. */
  database: string | undefined;
  url: string | undefined;
  adminToken: string | undefined;
  /** The admin command and its own arguments. */
  argv: string[];
}

/** A mistake in the command line, shown with the hint to read --help. */
export class UsageError extends Error {}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'serve'; config: ServeConfig }
  | { kind: 'admin'; config: AdminConfig };

function integer(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

/** A duration in ms: at least 1, at most `max` (within setTimeout's limit). */
const ms = (name: string, value: string | undefined, max: number) => integer(name, value, 1, max);

/** An http(s) URL without a trailing slash. */
function relayUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !isHttpUrl(value))
    throw new UsageError(`--relay-url must be an http:// or https:// URL, got '${value}'`);
  return value?.replace(/\/+$/, '');
}

function configFile(value: string | undefined): string | undefined {
  if (value === '') throw new UsageError('--config needs a file name');
  return value;
}

function maxPrice(value: string | undefined): { prompt: number; completion: number } {
  if (value === undefined) return { ...DEFAULT_MAX_PRICE };
  const match = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) throw new UsageError(`--max-price must look like 10/20, got '${value}'`);
  return { prompt: Number(match[1]), completion: Number(match[2]) };
}

function logLevel(value: string): LogLevel {
  if (value === 'debug' || value === 'info' || value === 'warn' || value === 'error') return value;
  throw new UsageError(`--log-level must be debug, info, warn or error, got '${value}'`);
}

/** The data folder: the flag, the environment, or ~/.byoi-gateway. */
function dataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.BYOI_GATEWAY_DATA_DIR || join(homedir(), '.byoi-gateway');
}

/** The PostgreSQL URL: the flag or the environment; a malformed one is a usage error. */
function database(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const url = flag ?? (env.BYOI_DATABASE_URL || undefined);
  if (url === undefined) return undefined;
  try {
    return checkPostgresUrl(url);
  } catch (error) {
    throw new UsageError(`--database: ${(error as Error).message}`);
  }
}

/** Splits `admin` flags (before the admin command) from the admin command's arguments. */
function parseAdmin(args: string[], env: NodeJS.ProcessEnv): Command {
  const own: string[] = [];
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index]!;
    if (
      arg === '--data-dir' ||
      arg === '--database' ||
      arg === '--url' ||
      arg === '--admin-token'
    ) {
      if (args[index + 1] === undefined) throw new UsageError(`${arg} needs a value`);
      own.push(arg, args[++index]!);
    } else if (/^--(data-dir|database|url|admin-token)=/.test(arg)) {
      own.push(arg);
    } else break;
  }
  const { values } = parseArgs({
    args: own,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      database: { type: 'string' },
      url: { type: 'string' },
      'admin-token': { type: 'string' },
    },
  });
  const url = values.url;
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url)) {
    throw new UsageError(`--url must look like http://127.0.0.1:${DEFAULT_GATEWAY_PORT}`);
  }
  return {
    kind: 'admin',
    config: {
      dataDir: dataDir(values['data-dir'], env),
      database: database(values.database, env),
      url: url?.replace(/\/+$/, ''),
      adminToken: values['admin-token'] || env.BYOI_ADMIN_TOKEN || undefined,
      argv: args.slice(index),
    },
  };
}

/** Parses the command line (without `node` and the script). */
export function parseCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [first, ...rest] = argv;
  if (first === 'admin') return parseAdmin(rest, env);
  const args = first === 'serve' ? rest : argv;
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        database: { type: 'string' },
        'relay-url': { type: 'string' },
        'admin-token': { type: 'string' },
        'fee-bps': { type: 'string' },
        'max-price': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'market-interval-ms': { type: 'string' },
        config: { type: 'string' },
        'connect-timeout-ms': { type: 'string' },
        'first-token-timeout-ms': { type: 'string' },
        'stall-timeout-ms': { type: 'string' },
        'quarantine-after': { type: 'string' },
        'queue-wait-ms': { type: 'string' },
        'queue-length': { type: 'string' },
        'health-interval-ms': { type: 'string' },
        json: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  return {
    kind: 'serve',
    config: {
      host: values.host || '127.0.0.1',
      port: integer('--port', values.port, 0, 65535) ?? DEFAULT_GATEWAY_PORT,
      dataDir: dataDir(values['data-dir'], env),
      database: database(values.database, env),
      relayUrl: relayUrl(values['relay-url']),
      adminToken: values['admin-token'] || env.BYOI_ADMIN_TOKEN || undefined,
      feeBasisPoints:
        integer('--fee-bps', values['fee-bps'], 0, 10_000) ?? DEFAULT_FEE_BASIS_POINTS,
      maxPrice: maxPrice(values['max-price']),
      heartbeatMs:
        integer('--heartbeat-ms', values['heartbeat-ms'], 50, 600_000) ?? DEFAULT_HEARTBEAT_MS,
      marketIntervalMs:
        integer('--market-interval-ms', values['market-interval-ms'], 50, 86_400_000) ??
        DEFAULT_MARKET_INTERVAL_MS,
      configFile: configFile(values.config),
      connectTimeoutMs:
        ms('--connect-timeout-ms', values['connect-timeout-ms'], 600_000) ??
        DEFAULT_CONNECT_TIMEOUT_MS,
      firstTokenTimeoutMs:
        ms('--first-token-timeout-ms', values['first-token-timeout-ms'], 3_600_000) ??
        DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
      stallTimeoutMs:
        ms('--stall-timeout-ms', values['stall-timeout-ms'], 3_600_000) ?? DEFAULT_STALL_TIMEOUT_MS,
      quarantineAfter:
        integer('--quarantine-after', values['quarantine-after'], 0, 1_000_000) ??
        DEFAULT_QUARANTINE_AFTER,
      queueWaitMs:
        integer('--queue-wait-ms', values['queue-wait-ms'], 0, 3_600_000) ?? DEFAULT_QUEUE_WAIT_MS,
      queueLength:
        integer('--queue-length', values['queue-length'], 0, 1_000_000) ?? DEFAULT_QUEUE_LENGTH,
      healthIntervalMs:
        integer('--health-interval-ms', values['health-interval-ms'], 50, 86_400_000) ??
        DEFAULT_HEALTH_INTERVAL_MS,
      json: values.json ?? false,
      logLevel: logLevel(values['log-level'] ?? 'info'),
    },
  };
}
