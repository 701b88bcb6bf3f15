/**
 * `byoi-gateway`: runs the gateway, or its admin commands. `--json` prints one ready line on
 * stdout and logs JSON lines on stderr. SIGINT and SIGTERM close it cleanly (exit 0).
 */
import { VERSION } from '../common/version.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAdminCommand } from './admin/adminCli.js';
import { directAdminStore } from './admin/adminStore.js';
import { adminHttpStore } from './adminHttpStore.js';
import { ADMIN_TOKEN_FILE } from './adminToken.js';
import {
  GATEWAY_HELP,
  parseCommand,
  UsageError,
  type AdminConfig,
  type ServeConfig,
} from './cliArgs.js';
import { batchedWrite, createLogger } from '../common/log.js';
import { auditedStore } from './policy/auditedStore.js';
import { isPostgresUrl } from './store/databaseUrl.js';
import { PGDATA_IMAGE_FILE } from './store/pgdataImage.js';
import { openStore } from './store/pgliteStore.js';
import type { GatewayStore } from './store/types.js';
import { openStoreInWorker } from './store/workerStore.js';

/** The prebuilt empty database, beside this file in out/main/ (`npm run build` makes it). */
const PGDATA_IMAGE = new URL(PGDATA_IMAGE_FILE, import.meta.url);

/**
 * The serving gateway's store. PGlite computes on the thread that calls it, so it gets a
 * thread of its own; node-postgres only waits on sockets, so a PostgreSQL store stays here.
 */
function openServingStore(config: ServeConfig): Promise<GatewayStore> {
  const database = config.database ?? config.dataDir;
  return isPostgresUrl(database)
    ? openStore(database)
    : openStoreInWorker(database, new URL('./store-worker.js', import.meta.url));
}

async function serve(config: ServeConfig): Promise<void> {
  const stderr = batchedWrite((text) => process.stderr.write(text));
  process.on('exit', stderr.flush);
  const logger = createLogger({ json: config.json, level: config.logLevel, write: stderr.write });
  // The database opens on its thread while this one loads the server's modules (Fastify and
  // the rest), which on a restart take about as long.
  const [store, { startGateway }] = await Promise.all([
    openServingStore(config),
    import('./server.js'),
  ]);
  const gateway = await startGateway({
    store,
    dataDir: config.dataDir,
    database: config.database,
    relayUrl: config.relayUrl,
    host: config.host,
    port: config.port,
    adminToken: config.adminToken,
    feeBasisPoints: config.feeBasisPoints,
    maxPrice: config.maxPrice,
    heartbeatMs: config.heartbeatMs,
    marketIntervalMs: config.marketIntervalMs,
    configFile: config.configFile,
    connectTimeoutMs: config.connectTimeoutMs,
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    stallTimeoutMs: config.stallTimeoutMs,
    quarantineAfter: config.quarantineAfter,
    queueWaitMs: config.queueWaitMs,
    queueLength: config.queueLength,
    healthIntervalMs: config.healthIntervalMs,
    logger,
  });
  if (config.json) {
    process.stdout.write(
      JSON.stringify({
        event: 'ready',
        url: gateway.url,
        pid: process.pid,
        adminTokenFile: gateway.adminTokenFile,
      }) + '\n',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    try {
      await gateway.close();
      process.exit(0);
    } catch (error) {
      logger.error('stopping failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function adminTokenFor(config: AdminConfig): string {
  if (config.adminToken) return config.adminToken;
  const file = join(config.dataDir, ADMIN_TOKEN_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new UsageError(
      `--url needs --admin-token (or BYOI_ADMIN_TOKEN); ${file} is not readable`,
    );
  }
}

async function admin(config: AdminConfig): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if (config.url) {
    const store = adminHttpStore(config.url, adminTokenFor(config));
    return runAdminCommand(config.argv, store, out, err);
  }
  // Opened only once the command line is valid; a data folder is refused while a gateway
  // runs on it, a PostgreSQL database may be shared with running gateways.
  return runAdminCommand(
    config.argv,
    async () => {
      const store = await openStore(config.database ?? config.dataDir, { image: PGDATA_IMAGE });
      return { ...directAdminStore(auditedStore(store, 'cli')), close: () => store.close() };
    },
    out,
    err,
  );
}

async function main(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(GATEWAY_HELP);
      return;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return;
    case 'admin':
      process.exitCode = await admin(command.config);
      return;
    case 'serve':
      return serve(command.config);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(
      `byoi-gateway: ${error.message}\nRun 'byoi-gateway --help' for the options.\n`,
    );
    process.exit(2);
  }
  process.stderr.write(`byoi-gateway: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
