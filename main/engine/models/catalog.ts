/**
 * Well-known chat models the dashboard can suggest, with where to download them and what
 * they need, and which of them fit this machine. Sizes and memory needs are approximate;
 * a checksum is given only where it is known for certain (none yet: the download is then
 * checked for a GGUF header only).
 */
import type { HardwareReport } from '../../../common/hardware.js';
import type { CatalogModel } from '../../../common/nodeApi.js';

/** A catalog entry before it is matched against a machine. */
export type CatalogEntry = Omit<CatalogModel, 'fits' | 'recommended'>;

const hf = (repo: string, file: string) => `https://huggingface.co/${repo}/resolve/main/${file}`;

/** Ids are the file names without `.gguf`, so an installed download has the same id. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'qwen2.5-0.5b-instruct-q4_k_m',
    name: 'Qwen2.5 0.5B Instruct (Q4_K_M)',
    url: hf('Qwen/Qwen2.5-0.5B-Instruct-GGUF', 'qwen2.5-0.5b-instruct-q4_k_m.gguf'),
    sizeBytes: 491_000_000,
    sha256: null,
    minMemoryMB: 1024,
  },
  {
    id: 'Llama-3.2-1B-Instruct-Q4_K_M',
    name: 'Llama 3.2 1B Instruct (Q4_K_M)',
    url: hf('bartowski/Llama-3.2-1B-Instruct-GGUF', 'Llama-3.2-1B-Instruct-Q4_K_M.gguf'),
    sizeBytes: 808_000_000,
    sha256: null,
    minMemoryMB: 1400,
  },
  {
    id: 'qwen2.5-1.5b-instruct-q4_k_m',
    name: 'Qwen2.5 1.5B Instruct (Q4_K_M)',
    url: hf('Qwen/Qwen2.5-1.5B-Instruct-GGUF', 'qwen2.5-1.5b-instruct-q4_k_m.gguf'),
    sizeBytes: 1_120_000_000,
    sha256: null,
    minMemoryMB: 1700,
  },
  {
    id: 'Llama-3.2-3B-Instruct-Q4_K_M',
    name: 'Llama 3.2 3B Instruct (Q4_K_M)',
    url: hf('bartowski/Llama-3.2-3B-Instruct-GGUF', 'Llama-3.2-3B-Instruct-Q4_K_M.gguf'),
    sizeBytes: 2_020_000_000,
    sha256: null,
    minMemoryMB: 3072,
  },
  {
    id: 'Mistral-7B-Instruct-v0.3-Q4_K_M',
    name: 'Mistral 7B Instruct v0.3 (Q4_K_M)',
    url: hf('bartowski/Mistral-7B-Instruct-v0.3-GGUF', 'Mistral-7B-Instruct-v0.3-Q4_K_M.gguf'),
    sizeBytes: 4_370_000_000,
    sha256: null,
    minMemoryMB: 5632,
  },
  {
    id: 'Qwen2.5-7B-Instruct-Q4_K_M',
    name: 'Qwen2.5 7B Instruct (Q4_K_M)',
    url: hf('bartowski/Qwen2.5-7B-Instruct-GGUF', 'Qwen2.5-7B-Instruct-Q4_K_M.gguf'),
    sizeBytes: 4_680_000_000,
    sha256: null,
    minMemoryMB: 5888,
  },
];

/** Share of the budget a recommended model may take, leaving room for the rest of the machine. */
const HEADROOM = 0.8;

/**
 * Memory a model may use here, in MB: the largest GPU's VRAM when a GPU backend runs, else
 * half the RAM (the rest is the provider's). Null when nothing is known.
 */
export function memoryBudgetMB(hardware: HardwareReport): number | null {
  if (hardware.recommendedBackend !== 'cpu') {
    const vram = hardware.gpus
      .map((gpu) => gpu.vramTotalMB)
      .filter((mb): mb is number => mb !== null);
    if (vram.length > 0) return Math.max(...vram);
  }
  return hardware.memoryTotalMB === null ? null : hardware.memoryTotalMB / 2;
}

/** Generation this slow is not recommended: about reading speed, tokens per second. */
export const MIN_RECOMMENDED_TOKENS_PER_SECOND = 10;

/**
 * Memory bandwidth, GB/s, that generation can use here. Generating a token reads every
 * weight once, so llama.cpp's tokens per second are about bandwidth ÷ model size (the
 * well-known rule of thumb for memory-bound decoding). Conservative figures: desktop
 * dual-channel RAM streams about 25 GB/s in practice, Apple's unified memory 100 GB/s and
 * more, a discrete GPU's VRAM 200 GB/s and more.
 */
const BANDWIDTH_GBPS: Record<'cpu' | 'unified' | 'gpu', number> = {
  cpu: 25,
  unified: 100,
  gpu: 200,
};

/** About how many tokens per second `entry` generates on `hardware` (see {@link BANDWIDTH_GBPS}). */
export function estimatedTokensPerSecond(entry: CatalogEntry, hardware: HardwareReport): number {
  const kind =
    hardware.recommendedBackend === 'cpu'
      ? 'cpu'
      : hardware.recommendedBackend === 'metal'
        ? 'unified'
        : 'gpu';
  return (BANDWIDTH_GBPS[kind] * 1e9) / entry.sizeBytes;
}

/**
 * The catalog for this machine: `fits` when a model's memory need is within the budget
 * (see {@link memoryBudgetMB}), and `recommended` on one model: the biggest that fits with
 * headroom and runs at reading speed or better (see {@link estimatedTokensPerSecond}), else
 * the biggest that fits and is that fast, else the fastest that fits at all.
 */
export function catalogFor(
  hardware: HardwareReport,
  catalog: readonly CatalogEntry[] = CATALOG,
): CatalogModel[] {
  const budget = memoryBudgetMB(hardware);
  const fits = (entry: CatalogEntry, share = 1) =>
    budget !== null && entry.minMemoryMB <= budget * share;
  const biggest = (entries: CatalogEntry[]) =>
    entries.reduce<CatalogEntry | null>(
      (best, entry) => (best === null || entry.minMemoryMB > best.minMemoryMB ? entry : best),
      null,
    );
  const fast = (entry: CatalogEntry) =>
    estimatedTokensPerSecond(entry, hardware) >= MIN_RECOMMENDED_TOKENS_PER_SECOND;
  const fitting = catalog.filter((entry) => fits(entry));
  const recommended =
    biggest(fitting.filter((entry) => fits(entry, HEADROOM) && fast(entry))) ??
    biggest(fitting.filter(fast)) ??
    fitting.reduce<CatalogEntry | null>(
      (best, entry) => (best === null || entry.sizeBytes < best.sizeBytes ? entry : best),
      null,
    );
  return catalog.map((entry) => ({
    ...entry,
    fits: fits(entry),
    recommended: entry === recommended,
  }));
}
