import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../common/log.js';
import type { SignalReadings } from '../../common/nodeApi.js';
import { scheduleSettingsSchema } from '../../common/settings.js';
import type { CommandRunner } from '../../main/engine/hardware/commandRunner.js';
import { nvidiaGpuSignals } from '../../main/engine/schedule/nvidiaGpuSignals.js';
import { Scheduler } from '../../main/engine/schedule/scheduler.js';
import {
  batterySignal,
  type BatteryReading,
  type SignalSource,
} from '../../main/engine/schedule/signalSources.js';
import { ManualTimers, settle } from '../support/manualTimers.js';

function collect(source: SignalSource): Array<Partial<SignalReadings>> {
  const reports: Array<Partial<SignalReadings>> = [];
  source.start((r) => reports.push(r));
  return reports;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string, f?: LogFields) =>
    lines.push(`${level} ${m} ${f?.query ?? f?.source ?? ''}`.trim());
  return {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  };
}

// Stand-in for a real GPU: this machine has none, so these are recorded nvidia-smi outputs
// for the queries nvidiaSmi.ts runs (per-GPU CSV with power.draw, then compute apps).
const TWO_GPUS = [
  '0, NVIDIA GeForce RTX 4090, 24564, 20112, 550.54.14, 97, 78, 412.5, GPU-5f3c1a2b-8d4e-4f6a-9b7c-1d2e3f4a5b6c',
  '1, NVIDIA GeForce RTX 3090, 24576, 23000, 550.54.14, 0, 84, 31.25, GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
].join('\n');
const OUR_PID = 1000;
const APPS_OURS_AND_A_GAME = [
  `${OUR_PID}, /usr/bin/node, 4000`,
  '4242, C:\\Games\\Cyberpunk 2077\\bin\\x64\\Cyberpunk2077.exe, [N/A]',
  '77, /usr/bin/blender, 900',
].join('\n');
const APPS_OURS_ONLY = `${OUR_PID}, /usr/bin/node, 4000\n`;

type Answer = string | Error | null | Promise<string>;
/** A runner answering from recorded output; `null` means nvidia-smi is not installed. */
function recordedNvidiaSmi(answers: { gpus: Answer; apps: Answer }) {
  const calls: string[] = [];
  const exec: CommandRunner = async (_file, args) => {
    const which = args[0]?.startsWith('--query-compute-apps') ? 'apps' : 'gpus';
    calls.push(which);
    const answer = await answers[which];
    if (answer === null)
      throw Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return { stdout: answer, stderr: '' };
  };
  return { exec, calls, answers };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const ownPids = () => new Set([OUR_PID]);

describe('nvidiaGpuSignals (recorded nvidia-smi output as the stand-in for a real GPU)', () => {
  it('reports foreign GPU use, the hottest GPU and the summed draw, then polls every 5 s', async () => {
    const timers = new ManualTimers();
    const smi = recordedNvidiaSmi({ gpus: TWO_GPUS, apps: APPS_OURS_AND_A_GAME });
    const reports = collect(nvidiaGpuSignals({ ownPids, exec: smi.exec, timers }));
    await settle();
    expect(reports).toEqual([
      {
        gpuTemperatureC: 84,
        gpuWatts: 443.75,
        gpuBusyWith: 'Cyberpunk2077.exe (pid 4242) and 1 more',
      },
    ]);
    expect(timers.armed).toEqual([[5000, true]]);

    smi.answers.apps = APPS_OURS_ONLY;
    await timers.advance(4999);
    expect(reports).toHaveLength(1);
    await timers.advance(1);
    expect(reports[1]).toMatchObject({ gpuBusyWith: null });
    expect(smi.calls).toHaveLength(4);
  });

  it('without nvidia-smi reports nulls once and stops polling', async () => {
    const timers = new ManualTimers();
    const smi = recordedNvidiaSmi({ gpus: null, apps: null });
    const reports = collect(nvidiaGpuSignals({ ownPids, exec: smi.exec, timers }));
    await settle();
    expect(reports).toEqual([{ gpuBusyWith: null, gpuTemperatureC: null, gpuWatts: null }]);
    expect(timers.armed).toEqual([]);
    await timers.advance(60_000);
    expect(smi.calls).toHaveLength(2);
  });

  it('does not stack a slow call, and stop() drops its late answer', async () => {
    const timers = new ManualTimers();
    const slow = deferred<string>();
    const smi = recordedNvidiaSmi({ gpus: slow.promise, apps: APPS_OURS_ONLY });
    const source = nvidiaGpuSignals({ ownPids, exec: smi.exec, timers, intervalMs: 1000 });
    const reports = collect(source);
    await timers.advance(60_000);
    expect(smi.calls).toHaveLength(2);
    expect(timers.armed).toEqual([]);
    slow.resolve(TWO_GPUS);
    await settle();
    expect(reports).toHaveLength(1);
    expect(timers.armed).toEqual([[61_000, true]]);

    const late = deferred<string>();
    smi.answers.gpus = late.promise;
    await timers.advance(1000);
    source.stop();
    late.resolve(TWO_GPUS);
    await settle();
    expect(reports).toHaveLength(1);
    expect(timers.armed).toEqual([]);
  });

  it('a failing query keeps the last readings and logs once per run of failures', async () => {
    const timers = new ManualTimers();
    const logger = recordingLogger();
    const smi = recordedNvidiaSmi({ gpus: TWO_GPUS, apps: APPS_OURS_AND_A_GAME });
    const reports = collect(nvidiaGpuSignals({ ownPids, exec: smi.exec, timers, logger }));
    await settle();
    const broken = Object.assign(new Error('failed'), { code: 9, stdout: 'NVIDIA-SMI has failed' });
    smi.answers.apps = broken;
    await timers.advance(5000);
    await timers.advance(5000);
    // Temperature and draw still come; gpuBusyWith is left as it was (busy), not reset to null.
    expect(reports.slice(1)).toEqual([
      { gpuTemperatureC: 84, gpuWatts: 443.75 },
      { gpuTemperatureC: 84, gpuWatts: 443.75 },
    ]);
    smi.answers.apps = APPS_OURS_ONLY;
    await timers.advance(5000);
    expect(reports[3]).toMatchObject({ gpuBusyWith: null });
    expect(logger.lines).toEqual([
      'warn nvidia-smi signal query failed apps',
      'info nvidia-smi signal query recovered apps',
    ]);
  });

  it('pauses a Scheduler for a foreign process but not for our own', async () => {
    const timers = new ManualTimers();
    const smi = recordedNvidiaSmi({ gpus: TWO_GPUS, apps: APPS_OURS_AND_A_GAME });
    const scheduler = new Scheduler({
      settings: () => scheduleSettingsSchema.parse({ mode: 'always', maxGpuTemperatureC: 90 }),
      sources: [nvidiaGpuSignals({ ownPids, exec: smi.exec, timers })],
      timers,
      tickMs: 0,
    });
    scheduler.start();
    await settle();
    expect(scheduler.verdict).toMatchObject({ rule: 'gpu-busy', urgent: true });
    smi.answers.apps = APPS_OURS_ONLY;
    await timers.advance(5000);
    expect(scheduler.verdict.rule).toBe('always');
    expect(scheduler.status().signals).toMatchObject({ gpuWatts: 443.75, gpuTemperatureC: 84 });
    scheduler.stop();
    expect(timers.armed).toEqual([]);
  });
});

describe('batterySignal (injected reader)', () => {
  it('maps battery and mains to onBattery, every 30 s by default', async () => {
    const timers = new ManualTimers();
    let reading: BatteryReading = { hasBattery: true, acConnected: false };
    const reports = collect(batterySignal({ read: async () => reading, timers }));
    await settle();
    expect(timers.armed).toEqual([[30_000, true]]);
    reading = { hasBattery: true, acConnected: true };
    await timers.advance(30_000);
    reading = { hasBattery: false, acConnected: true };
    await timers.advance(30_000);
    expect(reports).toEqual([{ onBattery: true }, { onBattery: false }, { onBattery: null }]);
  });

  it('a failed read reports nothing, logs once, and keeps polling', async () => {
    const timers = new ManualTimers();
    const logger = recordingLogger();
    let fail = true;
    const read = async () => {
      if (fail) throw new Error('no /sys/class/power_supply');
      return { hasBattery: true, acConnected: false };
    };
    const reports = collect(batterySignal({ read, timers, logger, intervalMs: 1000 }));
    await settle();
    await timers.advance(1000);
    expect(reports).toEqual([]);
    fail = false;
    await timers.advance(1000);
    expect(reports).toEqual([{ onBattery: true }]);
    expect(logger.lines).toEqual([
      'warn signal source failed battery',
      'info signal source recovered battery',
    ]);
  });
});
