/**
 * NVIDIA GPUs and their compute processes, read from `nvidia-smi` CSV output.
 */
import type {
  GpuComputeProcess,
  GpuComputeProcessList,
  GpuInfo,
  ProbeResult,
} from '../../../common/hardware.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  execFileRunner,
  parseMeasurement,
  probeFromRun,
  runTool,
  type CommandRunner,
} from './commandRunner.js';

/** Arguments for the per-GPU query; the column order is what {@link parseNvidiaSmiGpus} expects. */
export const NVIDIA_SMI_GPU_ARGS: readonly string[] = [
  '--query-gpu=index,name,memory.total,memory.free,driver_version,utilization.gpu,temperature.gpu,power.draw,uuid',
  '--format=csv,noheader,nounits',
];

/** Arguments for the compute-process query; columns as {@link parseNvidiaComputeApps} expects. */
export const NVIDIA_SMI_APPS_ARGS: readonly string[] = [
  '--query-compute-apps=pid,process_name,used_memory',
  '--format=csv,noheader,nounits',
];

/** Parsed rows plus how many non-empty lines could not be understood. */
export interface ParsedRows<T> {
  rows: T[];
  malformedLines: number;
}

const GPU_COLUMNS_AFTER_NAME = 7;

function textOrNull(raw: string | undefined): string | null {
  const text = raw?.trim() ?? '';
  return text === '' || text.startsWith('[') || /^n\/?a$/i.test(text) ? null : text;
}

function nonEmptyLines(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output. A GPU name may
 * itself contain commas, so the name is everything between the first column and the last seven.
 * Lines without a numeric index or a name are counted as malformed, not thrown.
 */
export function parseNvidiaSmiGpus(stdout: string): ParsedRows<GpuInfo> {
  const rows: GpuInfo[] = [];
  let malformedLines = 0;
  for (const line of nonEmptyLines(stdout)) {
    const raw = line.split(',');
    const fields = raw.map((f) => f.trim());
    const indexText = fields[0] ?? '';
    const name = raw
      .slice(1, raw.length - GPU_COLUMNS_AFTER_NAME)
      .join(',')
      .trim();
    if (fields.length < 2 + GPU_COLUMNS_AFTER_NAME || !/^\d+$/.test(indexText) || name === '') {
      malformedLines += 1;
      continue;
    }
    const [total, free, driver, utilization, temperature, power, uuid] =
      fields.slice(-GPU_COLUMNS_AFTER_NAME);
    rows.push({
      index: Number(indexText),
      vendor: 'nvidia',
      model: name,
      vramTotalMB: parseMeasurement(total),
      vramFreeMB: parseMeasurement(free),
      driver: textOrNull(driver),
      utilizationPercent: parseMeasurement(utilization),
      temperatureC: parseMeasurement(temperature),
      powerDrawW: parseMeasurement(power),
      uuid: textOrNull(uuid),
      source: 'nvidia-smi',
    });
  }
  return { rows, malformedLines };
}

/**
 * Parses `nvidia-smi --query-compute-apps=pid,process_name,used_memory` output. Process
 * paths may contain commas, so the name is everything between the pid and the last column.
 */
export function parseNvidiaComputeApps(stdout: string): ParsedRows<GpuComputeProcess> {
  const rows: GpuComputeProcess[] = [];
  let malformedLines = 0;
  for (const line of nonEmptyLines(stdout)) {
    // nvidia-smi prints this instead of an empty list on some driver versions.
    if (/^no running (compute )?processes found/i.test(line)) continue;
    const raw = line.split(',');
    const fields = raw.map((f) => f.trim());
    const pidText = fields[0] ?? '';
    const processName = raw.slice(1, -1).join(',').trim();
    if (fields.length < 3 || !/^\d+$/.test(pidText) || processName === '') {
      malformedLines += 1;
      continue;
    }
    rows.push({
      pid: Number(pidText),
      processName,
      usedMemoryMB: parseMeasurement(fields[fields.length - 1]),
    });
  }
  return { rows, malformedLines };
}

/** Options shared by the nvidia-smi queries. */
export interface NvidiaSmiOptions {
  /** Command runner; tests pass recorded output here. Defaults to `execFile`. */
  exec?: CommandRunner;
  /** Per-call timeout in ms (default 3000). */
  timeoutMs?: number;
}

function probeWithParse(
  name: string,
  durationMs: number,
  total: number,
  malformed: number,
): ProbeResult {
  if (malformed === 0) return { name, ok: true, durationMs };
  const error =
    total === malformed
      ? `unparseable output (${malformed} lines)`
      : `${malformed} of ${total} lines unparseable`;
  return { name, ok: false, error, durationMs };
}

/** Lists NVIDIA GPUs via nvidia-smi. Never throws; an absent binary gives no GPUs and an ok probe. */
export async function queryNvidiaSmi(
  options: NvidiaSmiOptions = {},
): Promise<{ gpus: GpuInfo[]; probe: ProbeResult }> {
  const name = 'nvidia-smi';
  const run = await runTool(
    options.exec ?? execFileRunner,
    'nvidia-smi',
    NVIDIA_SMI_GPU_ARGS,
    options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  );
  if (run.kind !== 'ok') return { gpus: [], probe: probeFromRun(name, run) };
  const parsed = parseNvidiaSmiGpus(run.stdout);
  const total = parsed.rows.length + parsed.malformedLines;
  return {
    gpus: parsed.rows,
    probe: probeWithParse(name, run.durationMs, total, parsed.malformedLines),
  };
}

/**
 * Lists processes holding a CUDA context (e.g. a game or another ML job), so a scheduler
 * can back off. Never throws: without nvidia-smi the list is empty and the probe says
 * "not installed"; a failed call gives an empty list and a failed probe.
 */
export async function listGpuComputeProcesses(
  options: NvidiaSmiOptions = {},
): Promise<GpuComputeProcessList> {
  const name = 'nvidia-smi compute-apps';
  const run = await runTool(
    options.exec ?? execFileRunner,
    'nvidia-smi',
    NVIDIA_SMI_APPS_ARGS,
    options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  );
  if (run.kind !== 'ok') return { processes: [], probe: probeFromRun(name, run) };
  const parsed = parseNvidiaComputeApps(run.stdout);
  const total = parsed.rows.length + parsed.malformedLines;
  return {
    processes: parsed.rows,
    probe: probeWithParse(name, run.durationMs, total, parsed.malformedLines),
  };
}
