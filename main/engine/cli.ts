/**
 * `byoi-node`: the headless node. It serves local GGUF models on an OpenAI-compatible
 * endpoint and, once enrolled, lends them to a gateway over the node link; `--json` prints
 * one ready line on stdout and logs JSON lines on stderr.
 */
import { VERSION } from '../../common/version.js';
import { existsSync } from 'node:fs';
import {
  defaultThreads,
  parseCommand,
  SERVE_HELP,
  UsageError,
  type EnrollConfig,
  type ServeConfig,
} from './cliArgs.js';
import { detectHardware, formatHardwareReport } from './hardware/gpuDetect.js';
import { enroll, readEnrollment } from './link/enrollment.js';
import { createLogger, type Logger } from '../../common/log.js';
import { startOpenAiServer } from './openai/openaiServer.js';
import { startControlServer } from './control/controlServer.js';
import { dashboardAddress, loadOrCreateControlToken } from './control/controlToken.js';
import { modelsCommand } from './modelsCommand.js';
import { lockNodeDataDir } from './storage/dataDirLock.js';
import { NodeEngine } from './node/nodeEngine.js';
import { LogRing, teeToRing } from './diagnostics/logRing.js';
import { modelIdOf } from './inference/modelHost.js';
import { nvidiaGpuSignals } from './schedule/nvidiaGpuSignals.js';
import { batterySignal } from './schedule/signalSources.js';
import { confSettingsBackend } from './settings/confSettingsBackend.js';
import { SettingsStore } from './settings/settingsStore.js';

/** How long `serve` waits for the gateway's first welcome before giving up. */
const LINK_STARTUP_TIMEOUT_MS = 30_000;
/** A headless node has no user at its keyboard: it serves always unless told otherwise. */
const HEADLESS_MODE = 'always';
const NO_MODEL_YET =
  "no model to serve yet: download one on the dashboard's Models page, or run 'byoi-node " +
  "models pull NAME' (or 'byoi-node models write-test-model') and serve it there or with --model";

async function serve(config: ServeConfig): Promise<void> {
  const logRing = new LogRing();
  const logger = createLogger({
    json: config.json,
    level: config.logLevel,
    write: teeToRing(logRing, (line) => process.stderr.write(line)),
  });
  const missing = config.models.find((path) => !existsSync(path));
  if (missing) throw new UsageError(`model file not found: ${missing}`);
  const enrollment = await readEnrollment(config.dataDir);
  if (config.link && config.gatewayURL && !enrollment) {
    throw new UsageError(
      `this node is not enrolled yet; run 'byoi-node enroll --gateway ${config.gatewayURL} --code CODE' first`,
    );
  }
  const gatewayURL = config.link ? (config.gatewayURL ?? enrollment?.gatewayURL) : undefined;
  const ids = config.models.map(modelIdOf);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new UsageError(`two --model files have the same id '${duplicate}'`);
  // Before anything is written or loaded: one node per data folder.
  const dataDirLock = lockNodeDataDir(config.dataDir);
  const settings = openSettings(config, logger);

  const hardware = await detectHardware();
  logger.info(hardware.summary);
  const threads = config.threads ?? defaultThreads(hardware.cpu.physicalCores || undefined);
  const engine = await NodeEngine.open({
    dataDir: config.dataDir,
    dataDirLock,
    modelDefaults: {
      threads,
      slots: config.parallel,
      maxQueued: config.queue,
      contextPerSlot: config.ctxSize,
      gpu: config.gpu,
    },
    modelPaths: config.models,
    hardware: {
      summary: hardware.summary,
      summaryCode: hardware.summaryCode,
      backend: config.gpu === false ? 'cpu' : hardware.recommendedBackend,
    },
    settings,
    signalSources: [
      nvidiaGpuSignals({ ownPids: () => new Set([process.pid]), logger }),
      batterySignal(),
    ],
    resumeMode: HEADLESS_MODE,
    localOnly: !config.link,
    logRing,
    logger,
  });

  // Filled in as they start, so that a signal at any point stops what is running.
  const running: { servers: { close(): Promise<void> }[] } = { servers: [] };
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await engine.stop();
    await Promise.all(running.servers.map((server) => server.close()));
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // Everything that needs no model comes first (the ports, the address rule), so a mistake
  // shows at once rather than after a model has loaded.
  const { server, control, dashboardURL } = await startServers(
    config,
    engine,
    logger,
    running,
  ).catch(async (error: unknown) => {
    await Promise.all(running.servers.map((started) => started.close()));
    await engine.stop();
    throw error;
  });
  if (stopping) return;
  logger.info('dashboard ready', { dashboardURL });
  await engine.loadModels();
  if (stopping) return;
  logger.info('serving', {
    openaiBaseURL: server.baseURL,
    controlURL: control.url,
    dashboardURL,
    models: engine.models.map((model) => model.id).join(','),
  });
  if (engine.models.length === 0) logger.warn(NO_MODEL_YET);
  engine.start();

  if (gatewayURL && enrollment) {
    try {
      await engine.connect({
        gatewayURL,
        insecure: config.insecure || undefined,
        agent: `byoi-node/${VERSION}`,
        startupTimeoutMs: LINK_STARTUP_TIMEOUT_MS,
      });
    } catch (error) {
      if (stopping) return; // a signal arrived while waiting; stop() exits
      throw error;
    }
    // A signal that arrived while waiting for the welcome missed this link: close it too.
    if (stopping) return engine.link?.stop();
  }
  if (stopping) return;
  engine.markSetUp(!config.link);
  const link = engine.link;
  if (!config.json) {
    process.stdout.write(
      `Dashboard: ${dashboardURL}\nOpenAI endpoint: ${server.baseURL}` +
        (engine.models.length > 0
          ? ` (models: ${engine.models.map((m) => m.id).join(', ')})\n`
          : '\n'),
    );
    return;
  }
  process.stdout.write(
    JSON.stringify({
      event: 'ready',
      pid: process.pid,
      openaiBaseURL: server.baseURL,
      controlURL: control.url,
      dashboardURL,
      dataDir: config.dataDir,
      models: engine.models.map((model) => model.id),
      threads,
      backend: hardware.recommendedBackend,
      nodeId: link?.status.nodeId ?? enrollment?.nodeId ?? null,
      link: link ? link.state : 'disabled',
      schedule: engine.scheduler.verdict.state,
    }) + '\n',
  );
}

/** The OpenAI endpoint and the control server with the dashboard, before any model loads. */
async function startServers(
  config: ServeConfig,
  engine: NodeEngine,
  logger: Logger,
  running: { servers: { close(): Promise<void> }[] },
) {
  const server = await startOpenAiServer({
    models: () => engine.models,
    host: config.host,
    port: config.port,
    logger,
    apiKey: config.apiKey,
  }).catch(portInUse('--openai', config));
  running.servers.push(server);
  const token = await loadOrCreateControlToken(config.dataDir);
  const control = await startControlServer({
    api: engine.api,
    host: config.control.host,
    port: config.control.port,
    token,
    events: { on: (listener) => engine.subscribe(listener) },
    logger,
  }).catch(portInUse('--control', config.control));
  running.servers.push(control);
  return { server, control, dashboardURL: dashboardAddress(control.url, token) };
}

/** Turns "listen EADDRINUSE" into what to do about it. */
function portInUse(flag: string, address: { host: string; port: number }) {
  return (error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new UsageError(
      `${address.host}:${address.port} (${flag}) is in use by another program, perhaps another ` +
        `byoi-node; choose another address with ${flag} HOST:PORT (port 0 picks a free one)`,
    );
  };
}

/** Opens the settings; a new headless node serves always, and the flags given are saved. */
function openSettings(config: ServeConfig, logger: Logger): SettingsStore {
  const settings = SettingsStore.open(confSettingsBackend(config.dataDir), {
    logger,
    initial: { schedule: { mode: HEADLESS_MODE } },
  });
  if (settings.warning) logger.warn(settings.warning);
  const { price, mode } = config;
  if (mode !== undefined || price.prompt !== undefined || price.completion !== undefined) {
    settings.update({
      ...(mode === undefined ? {} : { schedule: { mode } }),
      ...(price.prompt === undefined && price.completion === undefined
        ? {}
        : { pricing: { default: { ...settings.get().pricing.default, ...price } } }),
    });
  }
  return settings;
}

async function enrollCommand(config: EnrollConfig): Promise<void> {
  const enrollment = await enroll({
    gatewayURL: config.gatewayURL,
    insecure: config.insecure,
    code: config.code,
    name: config.name,
    dataDir: config.dataDir,
  });
  process.stdout.write(
    config.json
      ? JSON.stringify({ event: 'enrolled', ...enrollment, dataDir: config.dataDir }) + '\n'
      : `Enrolled as node ${enrollment.nodeId} in organization ${enrollment.orgId} at ${enrollment.gatewayURL}.\n` +
          `Its key and enrollment are in ${config.dataDir}; serve with the same data folder,\n` +
          `e.g. byoi-node --model FILE.gguf --data-dir ${JSON.stringify(config.dataDir)}\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(SERVE_HELP);
      return;
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return;
    case 'detect': {
      const report = await detectHardware({ probeBackends: true });
      process.stdout.write(
        command.json ? JSON.stringify(report) + '\n' : formatHardwareReport(report) + '\n',
      );
      return;
    }
    case 'enroll':
      return enrollCommand(command.config);
    case 'models':
      process.exitCode = await modelsCommand(
        command.config,
        createLogger({ level: 'warn', write: (line) => process.stderr.write(line) }),
      );
      return;
    case 'serve':
      return serve(command.config);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`byoi-node: ${error.message}\nRun 'byoi-node --help' for the options.\n`);
    process.exit(2);
  }
  process.stderr.write(`byoi-node: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
