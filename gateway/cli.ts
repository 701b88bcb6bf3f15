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
import { startGateway } from './server.js';
import { auditedStore } from './policy/auditedStore.js';
import { openStore } from './store/pgliteStore.js';

async function serve(config: ServeConfig): Promise<void> {
  const stderr = batchedWrite((text) => process.stderr.write(text));
  process.on('exit', stderr.flush);
  const logger = createLogger({ json: config.json, level: config.logLevel, write: stderr.write });
  const gateway = await startGateway({
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
    storeWorker: new URL('./store-worker.js', import.meta.url),
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
      const store = await openStore(config.database ?? config.dataDir);
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
