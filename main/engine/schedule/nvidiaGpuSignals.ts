/**
 * GPU signals from nvidia-smi: another program's compute use, the hottest GPU's temperature
 * and the summed power draw.
 */
import type { GpuComputeProcess } from '../../../common/hardware.js';
import type { SignalReadings } from '../../../common/nodeApi.js';
import { silentLogger, type Logger } from '../../../common/log.js';
import type { CommandRunner } from '../hardware/commandRunner.js';
import { listGpuComputeProcesses, queryNvidiaSmi } from '../hardware/nvidiaSmi.js';
import { pollingSource, type SignalSource } from './signalSources.js';
import type { Timers } from '../../../common/node/timers.js';

/** Options for {@link nvidiaGpuSignals}. */
export interface NvidiaGpuSignalsOptions {
  /** Our own processes (the engine, its workers): their GPU use is not "busy". */
  ownPids: () => ReadonlySet<number>;
  /** Default 5 s. */
  intervalMs?: number;
  /** Runs nvidia-smi; tests pass recorded output. */
  exec?: CommandRunner;
  logger?: Logger;
  timers?: Timers;
}

function baseName(path: string): string {
  return (
    path
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .pop() ?? path
  );
}

/** "game.exe (pid 4242)", plus "and N more" when several foreign processes hold the GPU. */
export function describeForeignGpuUse(
  processes: readonly GpuComputeProcess[],
  ownPids: ReadonlySet<number>,
): string | null {
  const foreign = processes.filter((p) => !ownPids.has(p.pid));
  const [first] = foreign;
  if (!first) return null;
  const more = foreign.length > 1 ? ` and ${foreign.length - 1} more` : '';
  return `${baseName(first.processName)} (pid ${first.pid})${more}`;
}

function maxOrNull(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
}

function sumOrNull(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/**
 * Polls nvidia-smi (default every 5 s): compute processes whose pid is not ours →
 * gpuBusyWith "name (pid N)"; the hottest GPU's temperature; summed power draw. Without
 * nvidia-smi it reports nulls once and stops polling. A failed query keeps the last
 * readings of that query (logged once per run of failures) rather than flapping to null.
 */
export function nvidiaGpuSignals(options: NvidiaGpuSignalsOptions): SignalSource {
  const logger = options.logger ?? silentLogger;
  const exec = options.exec ? { exec: options.exec } : {};
  const failing = { gpus: false, apps: false };
  const noteFailure = (query: keyof typeof failing, error: string | undefined): void => {
    if (error !== undefined && !failing[query])
      logger.warn('nvidia-smi signal query failed', { query, error });
    if (error === undefined && failing[query])
      logger.info('nvidia-smi signal query recovered', { query });
    failing[query] = error !== undefined;
  };

  return pollingSource({
    name: 'nvidia-smi',
    intervalMs: options.intervalMs ?? 5000,
    logger,
    ...(options.timers ? { timers: options.timers } : {}),
    poll: async () => {
      const [gpus, apps] = await Promise.all([queryNvidiaSmi(exec), listGpuComputeProcesses(exec)]);
      if (gpus.probe.note === 'not installed' || apps.probe.note === 'not installed') {
        logger.info('nvidia-smi not found; GPU signals off');
        return {
          readings: { gpuBusyWith: null, gpuTemperatureC: null, gpuWatts: null },
          done: true,
        };
      }
      const readings: Partial<SignalReadings> = {};
      // Lines that did not parse still leave the ones that did; only an empty result is a failure.
      const gpusFailed = !gpus.probe.ok && gpus.gpus.length === 0;
      noteFailure('gpus', gpusFailed ? gpus.probe.error : undefined);
      if (!gpusFailed) {
        readings.gpuTemperatureC = maxOrNull(gpus.gpus.map((g) => g.temperatureC));
        readings.gpuWatts = sumOrNull(gpus.gpus.map((g) => g.powerDrawW));
      }
      const appsFailed = !apps.probe.ok && apps.processes.length === 0;
      noteFailure('apps', appsFailed ? apps.probe.error : undefined);
      if (!appsFailed)
        readings.gpuBusyWith = describeForeignGpuUse(apps.processes, options.ownPids());
      return { readings };
    },
  });
}
