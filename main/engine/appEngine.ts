/**
 * The engine inside the desktop app: the Electron shell forks this file as a
 * `utilityProcess` (built to `out/main/engine-host.js`), so a native crash in llama.cpp
 * never takes the tray down. It speaks `NodeApi` as the messages of common/nodeApiWire.ts
 * over `process.parentPort`: `call` in; `result`, `error` and `event` out. Logs are JSON
 * lines on stdout for the shell's log file.
 *
 * Arguments: `--data-dir DIR` (the shell passes `<userData>/engine`). Environment:
 * `BYOI_NODE_KEY_PEM`, the node's key decrypted from the OS keyring by the shell; without
 * it the engine keeps its key in `<dataDir>/node-key.pem` (0600) as headless does.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../common/log.js';
import { clientMessageSchema, type EngineMessage } from '../../common/nodeApiWire.js';
import { VERSION } from '../../common/version.js';
import { defaultThreads } from './cliArgs.js';
import { callVerb } from './control/dispatch.js';
import { detectHardware } from './hardware/gpuDetect.js';
import { readEnrollment } from './link/enrollment.js';
import { identityFromPem } from './link/identity.js';
import { NodeEngine } from './node/nodeEngine.js';
import { LogRing, teeToRing } from './diagnostics/logRing.js';
import { nvidiaGpuSignals } from './schedule/nvidiaGpuSignals.js';
import { batterySignal } from './schedule/signalSources.js';
import { confSettingsBackend } from './settings/confSettingsBackend.js';
import { SettingsStore } from './settings/settingsStore.js';
import { lockNodeDataDir } from './storage/dataDirLock.js';

/** What Electron gives a utilityProcess: a port to its parent. */
interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

async function main(): Promise<void> {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (!port) throw new Error('engine-host runs only as an Electron utilityProcess');
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } }, strict: false });
  const dataDir = values['data-dir'];
  if (typeof dataDir !== 'string') throw new Error('engine-host needs --data-dir');
  const logRing = new LogRing();
  const logger = createLogger({
    json: true,
    write: teeToRing(logRing, (line) => process.stdout.write(line)),
  });
  const send = (message: EngineMessage) => port.postMessage(message);
  // The shell hands over the keyring-protected key; children (nvidia-smi) must not inherit it.
  const keyPem = process.env.BYOI_NODE_KEY_PEM;
  delete process.env.BYOI_NODE_KEY_PEM;
  const identity = keyPem ? identityFromPem(keyPem, 'the node key in the OS keyring') : undefined;

  // A headless byoi-node pointed at this folder would fight this engine over the link.
  const dataDirLock = lockNodeDataDir(dataDir);
  const settings = SettingsStore.open(confSettingsBackend(dataDir), { logger });
  const hardware = await detectHardware();
  const engine = await NodeEngine.open({
    dataDir,
    dataDirLock,
    modelDefaults: {
      threads: defaultThreads(hardware.cpu.physicalCores || undefined),
      slots: 2,
      maxQueued: 16,
      gpu: 'auto',
    },
    modelPaths: [],
    hardware: {
      summary: hardware.summary,
      summaryCode: hardware.summaryCode,
      backend: hardware.recommendedBackend,
    },
    settings,
    signalSources: [
      nvidiaGpuSignals({ ownPids: () => new Set([process.pid]), logger }),
      batterySignal(),
    ],
    resumeMode: 'idle',
    identity,
    logRing,
    logger,
  });
  port.on('message', ({ data }) => {
    const parsed = clientMessageSchema.safeParse(data);
    if (!parsed.success || parsed.data.type !== 'call') {
      logger.warn('engine-host ignored a malformed message');
      return;
    }
    const { id, verb, args } = parsed.data;
    void callVerb(engine.api, verb, args, logger).then((outcome) =>
      send(
        outcome.ok
          ? { type: 'result', id, result: outcome.result }
          : { type: 'error', id, error: outcome.error },
      ),
    );
  });
  engine.subscribe((event) => send({ type: 'event', event }));
  await engine.loadModels();
  engine.start();
  if (await readEnrollment(dataDir)) {
    engine
      .connect({ agent: `byoi-node-app/${VERSION}`, startupTimeoutMs: 30_000 })
      .then(() => engine.markSetUp(false))
      .catch((error: unknown) => logger.error('link not started', { error: String(error) }));
  }
  const stop = () => void engine.stop().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`engine-host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
