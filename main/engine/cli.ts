/**
 * `byoi-node`: the headless node. It serves local GGUF models on an OpenAI-compatible
 * endpoint; `--json` prints one ready line on stdout and logs JSON lines on stderr.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  defaultThreads,
  parseCommand,
  SERVE_HELP,
  UsageError,
  type ServeConfig,
} from './cliArgs.js';
import { detectHardware, formatHardwareReport } from './hardware/gpuDetect.js';
import { ModelHost } from './inference/modelHost.js';
import { createLogger } from './log.js';
import { startOpenAiServer } from './openai/openaiServer.js';

function version(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function serve(config: ServeConfig): Promise<void> {
  const logger = createLogger({ json: config.json, level: config.logLevel });
  const missing = config.models.find((path) => !existsSync(path));
  if (missing) throw new UsageError(`model file not found: ${missing}`);
  const hardware = await detectHardware();
  logger.info(hardware.summary);
  const threads = config.threads ?? defaultThreads(hardware.cpu.physicalCores || undefined);
  const models = config.models.map(
    (path) =>
      new ModelHost({
        path,
        threads,
        slots: config.parallel,
        maxQueued: config.queue,
        contextPerSlot: config.ctxSize,
        gpu: config.gpu,
        logger,
      }),
  );
  const ids = models.map((model) => model.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate) throw new UsageError(`two --model files have the same id '${duplicate}'`);
  await Promise.all(
    models.map((model) =>
      model.load().catch((error: unknown) => {
        throw new Error(
          `could not load model '${model.id}': ${error instanceof Error ? error.message : String(error)}`,
        );
      }),
    ),
  );

  const server = await startOpenAiServer({
    models,
    host: config.host,
    port: config.port,
    logger,
    apiKey: config.apiKey,
  });
  logger.info('serving', { openaiBaseURL: server.baseURL, models: ids.join(',') });
  if (config.json) {
    process.stdout.write(
      JSON.stringify({
        event: 'ready',
        pid: process.pid,
        openaiBaseURL: server.baseURL,
        models: ids,
        threads,
        backend: hardware.recommendedBackend,
      }) + '\n',
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    await Promise.all(models.map((model) => model.unload()));
    await server.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(SERVE_HELP);
      return;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return;
    case 'detect': {
      const report = await detectHardware({ probeBackends: true });
      process.stdout.write(
        command.json ? JSON.stringify(report) + '\n' : formatHardwareReport(report) + '\n',
      );
      return;
    }
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
