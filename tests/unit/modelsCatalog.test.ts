/** catalogFor: which catalog models fit a machine, and which one is recommended. */
import { describe, expect, it } from 'vitest';
import type { GpuInfo, HardwareReport, LlamaBackend } from '../../common/hardware.js';
import {
  CATALOG,
  catalogFor,
  estimatedTokensPerSecond,
  memoryBudgetMB,
  MIN_RECOMMENDED_TOKENS_PER_SECOND,
} from '../../main/engine/models/catalog.js';

function gpu(
  model: string,
  vramTotalMB: number | null,
  vendor: GpuInfo['vendor'] = 'nvidia',
): GpuInfo {
  return {
    index: 0,
    vendor,
    model,
    vramTotalMB,
    vramFreeMB: null,
    driver: null,
    utilizationPercent: null,
    temperatureC: null,
    powerDrawW: null,
    uuid: null,
    source: 'nvidia-smi',
  };
}

function machine(
  gpus: GpuInfo[],
  memoryTotalMB: number | null,
  backend: LlamaBackend,
): HardwareReport {
  return {
    detectedAt: '2025-01-01T00:00:00.000Z',
    platform: 'linux',
    arch: 'x64',
    cpu: { brand: 'Test CPU', manufacturer: 'Test', physicalCores: 8, logicalCores: 16 },
    memoryTotalMB,
    gpus,
    backends: [],
    backendsProbed: false,
    recommendedBackend: backend,
    summary: 'test machine',
    summaryCode: { code: 'hardware.noGpu', params: { coreCount: 8 } },
    probes: [],
  };
}

const pick = (hardware: HardwareReport) => {
  const catalog = catalogFor(hardware);
  return {
    fits: catalog.filter((model) => model.fits).map((model) => model.id),
    recommended: catalog.filter((model) => model.recommended).map((model) => model.id),
  };
};

describe('catalog', () => {
  it('lists well-known chat models with Hugging Face URLs and no invented checksums', () => {
    expect(CATALOG.length).toBeGreaterThanOrEqual(5);
    for (const entry of CATALOG) {
      expect(entry.url).toMatch(/^https:\/\/huggingface\.co\/.+\/resolve\/main\/.+\.gguf$/);
      expect(entry.url.endsWith(`/${entry.id}.gguf`)).toBe(true);
      expect(entry.sha256).toBeNull();
      expect(entry.minMemoryMB * 1024 * 1024).toBeGreaterThan(entry.sizeBytes);
    }
    expect(new Set(CATALOG.map((entry) => entry.id)).size).toBe(CATALOG.length);
  });

  it('uses the largest GPU on a GPU machine: 24 GB fits all and recommends a 7B', () => {
    const hardware = machine([gpu('RTX 3060', 12_288), gpu('RTX 4090', 24_564)], 32_768, 'cuda');
    expect(memoryBudgetMB(hardware)).toBe(24_564);
    const { fits, recommended } = pick(hardware);
    expect(fits).toEqual(CATALOG.map((entry) => entry.id));
    expect(recommended).toEqual(['Qwen2.5-7B-Instruct-Q4_K_M']);
  });

  it('keeps headroom: a 6 GB GPU fits a 7B model but recommends the 3B', () => {
    const { fits, recommended } = pick(machine([gpu('RTX 2060', 6144)], 65_536, 'cuda'));
    expect(fits).toContain('Qwen2.5-7B-Instruct-Q4_K_M');
    expect(recommended).toEqual(['Llama-3.2-3B-Instruct-Q4_K_M']);
    expect(pick(machine([gpu('GTX 1650', 4096)], 65_536, 'cuda')).fits).not.toContain(
      'Mistral-7B-Instruct-v0.3-Q4_K_M',
    );
  });

  it('uses half the RAM on CPU, even when an unusable GPU is present', () => {
    const hardware = machine([gpu('Old card', 2048, 'other')], 8192, 'cpu');
    expect(memoryBudgetMB(hardware)).toBe(4096);
    const { fits, recommended } = pick(hardware);
    expect(fits).toEqual([
      'qwen2.5-0.5b-instruct-q4_k_m',
      'Llama-3.2-1B-Instruct-Q4_K_M',
      'qwen2.5-1.5b-instruct-q4_k_m',
      'Llama-3.2-3B-Instruct-Q4_K_M',
    ]);
    expect(recommended).toEqual(['Llama-3.2-3B-Instruct-Q4_K_M']);
  });

  it('recommends by speed too: a big CPU-only machine fits a 7B model but gets the 3B', () => {
    const hardware = machine([], 65_536, 'cpu');
    const { fits, recommended } = pick(hardware);
    expect(fits).toContain('Qwen2.5-7B-Instruct-Q4_K_M');
    // About 25 GB/s ÷ 4.7 GB: some 5 tokens/s, under reading speed; the 3B gives about 12.
    const seven = CATALOG.find((entry) => entry.id === 'Qwen2.5-7B-Instruct-Q4_K_M')!;
    expect(estimatedTokensPerSecond(seven, hardware)).toBeLessThan(
      MIN_RECOMMENDED_TOKENS_PER_SECOND,
    );
    expect(recommended).toEqual(['Llama-3.2-3B-Instruct-Q4_K_M']);
  });

  it('falls back to RAM when the GPU does not report its memory (Apple)', () => {
    const hardware = machine([gpu('Apple M2', null, 'apple')], 16_384, 'metal');
    expect(memoryBudgetMB(hardware)).toBe(8192);
    expect(pick(hardware).recommended).toEqual(['Qwen2.5-7B-Instruct-Q4_K_M']);
  });

  it('recommends the biggest that fits at all when none fits with headroom, and none when nothing fits', () => {
    expect(pick(machine([], 2200, 'cpu'))).toEqual({
      fits: ['qwen2.5-0.5b-instruct-q4_k_m'],
      recommended: ['qwen2.5-0.5b-instruct-q4_k_m'],
    });
    expect(pick(machine([], 1024, 'cpu'))).toEqual({ fits: [], recommended: [] });
    expect(pick(machine([], null, 'cpu'))).toEqual({ fits: [], recommended: [] });
  });
});
