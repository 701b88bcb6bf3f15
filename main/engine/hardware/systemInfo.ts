/**
 * CPU, memory and display controllers from systeminformation, with `node:os` fallbacks
 * so a failing or hanging systeminformation call still leaves usable CPU/memory figures.
 */
import os from 'node:os';
import si from 'systeminformation';
import type { CpuInfo, GpuInfo, GpuVendor, ProbeResult } from '../../../common/hardware.js';

/** The fields of a systeminformation graphics controller this module reads. */
export interface SiController {
  vendor?: string;
  model?: string;
  name?: string;
  vram?: number | null;
  vramDynamic?: boolean;
  driverVersion?: string;
  memoryFree?: number;
  utilizationGpu?: number;
  temperatureGpu?: number;
}

/** The slice of systeminformation used here; injectable for tests. */
export interface SystemInfoApi {
  graphics(): Promise<{ controllers: SiController[] }>;
  cpu(): Promise<{ brand: string; manufacturer: string; physicalCores: number; cores: number }>;
  mem(): Promise<{ total: number }>;
}

/** The real systeminformation. */
export const systemInformationApi: SystemInfoApi = {
  graphics: () => si.graphics(),
  cpu: () => si.cpu(),
  mem: () => si.mem(),
};

/** What {@link collectSystemInfo} found. */
export interface SystemInfoResult {
  cpu: CpuInfo;
  memoryTotalMB: number | null;
  gpus: GpuInfo[];
  probes: ProbeResult[];
}

// Emulated, BMC and hypervisor display adapters: they show a picture but cannot run a model.
const DISPLAY_ONLY =
  /vmware|virtualbox|qxl|cirrus|bochs|virtio|basic (display|render)|hyper-v|llvmpipe|parallels|aspeed|matrox|standard vga/i;

/** Maps the many vendor spellings ("NVIDIA Corporation", "Advanced Micro Devices, Inc. [AMD/ATI]") to a vendor. */
export function classifyVendor(...texts: Array<string | undefined>): GpuVendor {
  const text = texts.filter((t) => t !== undefined).join(' ');
  if (/nvidia|geforce|quadro|tesla/i.test(text)) return 'nvidia';
  if (/advanced micro|\bamd\b|\bati\b|radeon|instinct/i.test(text)) return 'amd';
  if (/intel/i.test(text)) return 'intel';
  if (/apple/i.test(text)) return 'apple';
  return 'other';
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Converts systeminformation controllers to GPU entries, dropping display-only adapters. */
export function controllersToGpus(controllers: readonly SiController[]): GpuInfo[] {
  return controllers
    .filter((c) => !DISPLAY_ONLY.test(`${c.vendor ?? ''} ${c.model ?? ''} ${c.name ?? ''}`))
    .filter((c) => (c.model ?? c.name ?? '').trim() !== '' || (c.vendor ?? '').trim() !== '')
    .map((c, index): GpuInfo => {
      const vram = finiteOrNull(c.vram);
      return {
        index,
        vendor: classifyVendor(c.vendor, c.model, c.name),
        model: (c.model ?? c.name ?? '').trim() || (c.vendor ?? 'GPU').trim(),
        vramTotalMB: vram !== null && vram > 0 ? vram : null,
        vramFreeMB: finiteOrNull(c.memoryFree),
        driver: c.driverVersion?.trim() || null,
        utilizationPercent: finiteOrNull(c.utilizationGpu),
        temperatureC: finiteOrNull(c.temperatureGpu),
        powerDrawW: null,
        uuid: null,
        source: 'systeminformation',
      };
    });
}

async function step<T>(
  name: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<{ value: T | undefined; probe: ProbeResult }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const value = await Promise.race([fn(), guard]);
    return {
      value,
      probe: { name, ok: true, durationMs: Math.round(performance.now() - started) },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      value: undefined,
      probe: {
        name,
        ok: false,
        error: message,
        durationMs: Math.round(performance.now() - started),
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Reads CPU, memory and controllers. Never throws; each failed call becomes a failed probe. */
export async function collectSystemInfo(
  api: SystemInfoApi = systemInformationApi,
  timeoutMs = 10_000,
): Promise<SystemInfoResult> {
  const [graphics, cpu, mem] = await Promise.all([
    step('systeminformation graphics', timeoutMs, () => api.graphics()),
    step('systeminformation cpu', timeoutMs, () => api.cpu()),
    step('systeminformation mem', timeoutMs, () => api.mem()),
  ]);
  const osCpus = os.cpus();
  const logical = positiveInt(cpu.value?.cores) ?? (osCpus.length || os.availableParallelism());
  const cpuInfo: CpuInfo = {
    brand: cpu.value?.brand?.trim() || osCpus[0]?.model?.trim() || 'unknown CPU',
    manufacturer: cpu.value?.manufacturer?.trim() ?? '',
    // Without systeminformation the physical count is unknown; logical is the safe upper bound.
    physicalCores: positiveInt(cpu.value?.physicalCores) ?? logical,
    logicalCores: logical,
  };
  const totalBytes = mem.value?.total ?? os.totalmem();
  return {
    cpu: cpuInfo,
    memoryTotalMB:
      Number.isFinite(totalBytes) && totalBytes > 0 ? Math.round(totalBytes / (1024 * 1024)) : null,
    gpus: controllersToGpus(
      Array.isArray(graphics.value?.controllers) ? graphics.value.controllers : [],
    ),
    probes: [graphics.probe, cpu.probe, mem.probe],
  };
}
