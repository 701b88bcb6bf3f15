/**
 * Picking a backend from what was detected, and saying it in words.
 */
import type { Reason } from '../../../common/reasonCodes.js';
import { explain } from '../englishReasons.js';
import type {
  BackendStatus,
  CpuInfo,
  GpuInfo,
  HardwareReport,
  LlamaBackend,
} from '../../../common/hardware.js';

/** What {@link recommendBackend} looks at. */
export interface RecommendationInput {
  gpus: readonly GpuInfo[];
  backends: readonly BackendStatus[];
  backendsProbed: boolean;
  platform: string;
  arch: string;
}

/**
 * Whether a GPU is worth offloading to. Intel integrated graphics usually lose to the CPU
 * on llama.cpp, so only Intel Arc counts; display-only adapters are already filtered out.
 */
export function isComputeCapable(gpu: GpuInfo): boolean {
  if (gpu.vendor === 'nvidia' || gpu.vendor === 'amd' || gpu.vendor === 'apple') return true;
  if (gpu.vendor === 'intel') return /\barc\b/i.test(gpu.model);
  return gpu.vramTotalMB !== null && gpu.vramTotalMB >= 4096;
}

/**
 * Picks the backend to run on. When backends were probed only a backend that loaded is
 * chosen; otherwise the choice rests on the hardware alone and is unverified.
 */
export function recommendBackend(input: RecommendationInput): LlamaBackend {
  const capable = input.gpus.filter(isComputeCapable);
  const hasNvidia = capable.some((g) => g.vendor === 'nvidia');
  const appleSilicon = input.platform === 'darwin' && input.arch === 'arm64';
  if (input.backendsProbed) {
    const usable = (b: LlamaBackend): boolean =>
      input.backends.some((s) => s.backend === b && s.available);
    if (hasNvidia && usable('cuda')) return 'cuda';
    if (usable('metal')) return 'metal';
    if (capable.length > 0 && usable('vulkan')) return 'vulkan';
    return 'cpu';
  }
  if (input.gpus.some((g) => g.vendor === 'nvidia' && g.source === 'nvidia-smi')) return 'cuda';
  if (appleSilicon) return 'metal';
  if (capable.length > 0) return 'vulkan';
  return 'cpu';
}

const BACKEND_LABEL: Record<LlamaBackend, string> = {
  cuda: 'CUDA',
  vulkan: 'Vulkan',
  metal: 'Metal',
  cpu: 'CPU',
};

function gpuLabel(gpu: GpuInfo): string {
  return gpu.vramTotalMB === null ? gpu.model : `${gpu.model} (${gpu.vramTotalMB} MB)`;
}

function explainSummary(
  gpus: readonly GpuInfo[],
  cpu: CpuInfo,
  backend: LlamaBackend,
  backendsProbed: boolean,
) {
  const coreCount = cpu.physicalCores;
  if (gpus.length === 0) return explain('hardware.noGpu', { coreCount });
  const found = { gpuCount: gpus.length, gpus: gpus.map(gpuLabel).join(', ') };
  if (backend === 'cpu')
    return backendsProbed
      ? explain('hardware.noUsableBackend', { ...found, coreCount })
      : explain('hardware.noSuitableGpu', { ...found, coreCount });
  const code = backendsProbed ? 'hardware.backend' : 'hardware.backendUnverified';
  return explain(code, { ...found, backend: BACKEND_LABEL[backend] });
}

/**
 * The report's summary: one English sentence, e.g. "No GPU detected; running on CPU
 * (8 physical cores)", and the same as a code for the dashboard.
 */
export function summarize(
  gpus: readonly GpuInfo[],
  cpu: CpuInfo,
  backend: LlamaBackend,
  backendsProbed: boolean,
): { summary: string; summaryCode: Reason } {
  const { text, code } = explainSummary(gpus, cpu, backend, backendsProbed);
  return { summary: text, summaryCode: code };
}

function formatGpu(gpu: GpuInfo): string {
  const parts: string[] = [];
  if (gpu.vramTotalMB !== null) {
    parts.push(
      gpu.vramFreeMB === null
        ? `VRAM ${gpu.vramTotalMB} MB`
        : `VRAM ${gpu.vramFreeMB}/${gpu.vramTotalMB} MB free`,
    );
  }
  if (gpu.driver !== null) parts.push(`driver ${gpu.driver}`);
  if (gpu.utilizationPercent !== null) parts.push(`util ${gpu.utilizationPercent}%`);
  if (gpu.temperatureC !== null) parts.push(`${gpu.temperatureC} C`);
  return `GPU ${gpu.index}: ${gpu.model} [${gpu.vendor} via ${gpu.source}]${parts.length ? ` ${parts.join(', ')}` : ''}`;
}

/**
 * Renders a report for logs: a CPU line, one line per GPU, backends, failed probes and the
 * summary. Plain ASCII so it survives any terminal or log file.
 */
export function formatHardwareReport(report: HardwareReport): string {
  const { cpu } = report;
  // systeminformation splits "AMD" from "EPYC"; join them unless the brand already says it.
  const cpuName = cpu.brand.toLowerCase().includes(cpu.manufacturer.toLowerCase())
    ? cpu.brand
    : `${cpu.manufacturer} ${cpu.brand}`;
  const ram = report.memoryTotalMB === null ? 'RAM unknown' : `RAM ${report.memoryTotalMB} MB`;
  const lines = [
    `CPU: ${cpuName} (${cpu.physicalCores} physical / ${cpu.logicalCores} logical cores), ${ram}`,
  ];
  lines.push(...report.gpus.map(formatGpu));
  if (report.gpus.length === 0) lines.push('GPU: none');
  const backends = report.backendsProbed
    ? report.backends.map((b) => `${b.backend} ${b.available ? 'yes' : 'no'}`).join(', ')
    : 'not probed';
  lines.push(`Backends: ${backends}; recommended: ${report.recommendedBackend}`);
  const failed = report.probes.filter((p) => !p.ok);
  if (failed.length > 0)
    lines.push(
      `Failed probes: ${failed.map((p) => `${p.name} (${p.error ?? 'unknown error'})`).join('; ')}`,
    );
  lines.push(`Summary: ${report.summary}`);
  return lines.join('\n');
}
