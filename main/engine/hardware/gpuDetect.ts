/**
 * Hardware detection for the engine: merges systeminformation, nvidia-smi, rocm-smi and
 * (optionally) a node-llama-cpp backend probe into one {@link HardwareReport}.
 */
import os from 'node:os';
import type { GpuInfo, HardwareReport, ProbeResult } from '../../../common/hardware.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, type CommandRunner } from './commandRunner.js';
import { recommendBackend, summarize } from './hardwareSummary.js';
import { probeLlamaBackends, type LlamaProbeApi, type LlamaProbeOutcome } from './llamaBackends.js';
import { queryNvidiaSmi } from './nvidiaSmi.js';
import { queryRocmSmi } from './rocmSmi.js';
import { collectSystemInfo, type SystemInfoApi } from './systemInfo.js';

export {
  execFileRunner,
  parseMeasurement,
  type CommandOutput,
  type CommandRunner,
} from './commandRunner.js';
export { formatHardwareReport, recommendBackend, summarize } from './hardwareSummary.js';
export {
  probeLlamaBackends,
  resetLlamaBackendProbeCache,
  type LlamaProbeApi,
} from './llamaBackends.js';
export {
  listGpuComputeProcesses,
  parseNvidiaComputeApps,
  parseNvidiaSmiGpus,
  queryNvidiaSmi,
} from './nvidiaSmi.js';
export { parseRocmSmiJson, queryRocmSmi } from './rocmSmi.js';
export {
  classifyVendor,
  controllersToGpus,
  type SiController,
  type SystemInfoApi,
} from './systemInfo.js';

/** Options for {@link detectHardware}; everything is optional. */
export interface DetectHardwareOptions {
  /** Runs nvidia-smi / rocm-smi. Defaults to `execFile`; tests inject recorded output. */
  exec?: CommandRunner;
  /** Timeout per vendor-tool call, in ms (default 3000). */
  commandTimeoutMs?: number;
  /** Also check which node-llama-cpp backends load (slow the first time, then memoized). Default false. */
  probeBackends?: boolean;
  /** Replaces node-llama-cpp in the backend probe (tests). */
  llama?: LlamaProbeApi;
  /** Replaces systeminformation (tests). */
  systemInfo?: SystemInfoApi;
  /** Timeout per systeminformation call, in ms (default 10000). */
  systemInfoTimeoutMs?: number;
  /** Overrides `process.platform` / `process.arch` (tests). */
  platform?: string;
  arch?: string;
}

/**
 * Vendor tools know more than systeminformation (free VRAM, uuid, utilisation), so their
 * entries replace systeminformation's for the same vendor.
 */
export function mergeGpus(
  nvidia: readonly GpuInfo[],
  rocm: readonly GpuInfo[],
  fromSystemInfo: readonly GpuInfo[],
): GpuInfo[] {
  const rest = fromSystemInfo.filter(
    (g) =>
      !(g.vendor === 'nvidia' && nvidia.length > 0) && !(g.vendor === 'amd' && rocm.length > 0),
  );
  return [...nvidia, ...rocm, ...rest];
}

function fallbackReport(error: unknown, platform: string, arch: string): HardwareReport {
  const logical = os.cpus().length || 1;
  const cpu = {
    brand: os.cpus()[0]?.model ?? 'unknown CPU',
    manufacturer: '',
    physicalCores: logical,
    logicalCores: logical,
  };
  const probe: ProbeResult = {
    name: 'detectHardware',
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    durationMs: 0,
  };
  return {
    detectedAt: new Date().toISOString(),
    platform,
    arch,
    cpu,
    memoryTotalMB: Math.round(os.totalmem() / (1024 * 1024)),
    gpus: [],
    backends: [],
    backendsProbed: false,
    recommendedBackend: 'cpu',
    ...summarize([], cpu, 'cpu', false),
    probes: [probe],
  };
}

async function detect(
  options: DetectHardwareOptions,
  platform: string,
  arch: string,
): Promise<HardwareReport> {
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const toolOptions = { timeoutMs, ...(options.exec ? { exec: options.exec } : {}) };
  const backendsPromise: Promise<LlamaProbeOutcome | undefined> = options.probeBackends
    ? probeLlamaBackends(options.llama ? { api: options.llama } : {})
    : Promise.resolve(undefined);
  const [system, nvidia, rocm, llama] = await Promise.all([
    collectSystemInfo(options.systemInfo, options.systemInfoTimeoutMs),
    queryNvidiaSmi(toolOptions),
    queryRocmSmi(toolOptions),
    backendsPromise,
  ]);
  const gpus = mergeGpus(nvidia.gpus, rocm.gpus, system.gpus);
  const backends = llama?.backends ?? [];
  const backendsProbed = llama !== undefined;
  const recommendedBackend = recommendBackend({ gpus, backends, backendsProbed, platform, arch });
  const probes = [...system.probes, nvidia.probe, rocm.probe, ...(llama ? [llama.probe] : [])];
  return {
    detectedAt: new Date().toISOString(),
    platform,
    arch,
    cpu: system.cpu,
    memoryTotalMB: system.memoryTotalMB,
    gpus,
    backends,
    backendsProbed,
    recommendedBackend,
    ...summarize(gpus, system.cpu, recommendedBackend, backendsProbed),
    probes,
  };
}

/**
 * Detects CPU, memory, GPUs and (with `probeBackends`) usable node-llama-cpp backends.
 * Never throws: every failed step is a probe with `ok: false`, and an unexpected error
 * still yields a CPU-only report.
 */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<HardwareReport> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  try {
    return await detect(options, platform, arch);
  } catch (error) {
    return fallbackReport(error, platform, arch);
  }
}
