/**
 * Hardware report contract: what the engine found out about this machine's CPU, memory,
 * GPUs and usable node-llama-cpp backends. Shared by the engine, the shell and the dashboard.
 */
import { z } from 'zod';
import { reasonSchema } from './reasonCodes.js';

/** GPU vendor, normalised from the many spellings the tools print. */
export const GpuVendorSchema = z.enum(['nvidia', 'amd', 'intel', 'apple', 'other']);
/** GPU vendor. */
export type GpuVendor = z.infer<typeof GpuVendorSchema>;

/** Which tool a GPU entry came from; vendor tools win over systeminformation. */
export const GpuSourceSchema = z.enum(['nvidia-smi', 'rocm-smi', 'systeminformation']);
/** Which tool a GPU entry came from. */
export type GpuSource = z.infer<typeof GpuSourceSchema>;

/** One GPU. Every measurement is `null` when the tool could not tell. */
export const GpuInfoSchema = z.object({
  /** Index as the source tool numbers it (nvidia-smi index, rocm-smi cardN, or list order). */
  index: z.number().int().nonnegative(),
  vendor: GpuVendorSchema,
  model: z.string(),
  vramTotalMB: z.number().nonnegative().nullable(),
  vramFreeMB: z.number().nonnegative().nullable(),
  driver: z.string().nullable(),
  utilizationPercent: z.number().nullable(),
  temperatureC: z.number().nullable(),
  /** Board power draw in watts (nvidia-smi only; other sources give null). */
  powerDrawW: z.number().nonnegative().nullable(),
  /** Stable id where the tool gives one (NVIDIA `GPU-…` uuid, AMD unique id). */
  uuid: z.string().nullable(),
  source: GpuSourceSchema,
});
/** One GPU. */
export type GpuInfo = z.infer<typeof GpuInfoSchema>;

/** A node-llama-cpp compute backend; `cpu` is node-llama-cpp's `gpu: false`. */
export const LlamaBackendSchema = z.enum(['cuda', 'vulkan', 'metal', 'cpu']);
/** A node-llama-cpp compute backend. */
export type LlamaBackend = z.infer<typeof LlamaBackendSchema>;

/** Whether one backend's prebuilt binary can be loaded here. */
export const BackendStatusSchema = z.object({
  backend: LlamaBackendSchema,
  /** The binary loaded (and really is this backend, not a fallback). */
  available: z.boolean(),
  /** Listed by `getLlamaGpuTypes("supported")`: drivers/libraries present. */
  supported: z.boolean(),
  error: z.string().optional(),
  durationMs: z.number().nonnegative(),
});
/** Whether one backend's prebuilt binary can be loaded here. */
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

/** Outcome of one detection step, so a failed step shows up instead of vanishing. */
export const ProbeResultSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  /** Extra context for a step that succeeded, e.g. "not installed". */
  note: z.string().optional(),
  durationMs: z.number().nonnegative(),
});
/** Outcome of one detection step. */
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** CPU facts used to size threads. */
export const CpuInfoSchema = z.object({
  brand: z.string(),
  manufacturer: z.string(),
  physicalCores: z.number().int().nonnegative(),
  logicalCores: z.number().int().nonnegative(),
});
/** CPU facts. */
export type CpuInfo = z.infer<typeof CpuInfoSchema>;

/** Everything `detectHardware` found. */
export const HardwareReportSchema = z.object({
  /** ISO 8601 time of detection. */
  detectedAt: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpu: CpuInfoSchema,
  memoryTotalMB: z.number().nonnegative().nullable(),
  gpus: z.array(GpuInfoSchema),
  /** Empty unless backends were probed. */
  backends: z.array(BackendStatusSchema),
  backendsProbed: z.boolean(),
  recommendedBackend: LlamaBackendSchema,
  /** One English sentence, e.g. "No GPU detected; running on CPU (8 physical cores)". */
  summary: z.string(),
  /** The same summary as a code, which the dashboard translates. */
  summaryCode: reasonSchema,
  probes: z.array(ProbeResultSchema),
});
/** Everything `detectHardware` found. */
export type HardwareReport = z.infer<typeof HardwareReportSchema>;

/** A process holding a GPU compute context (from `nvidia-smi --query-compute-apps`). */
export const GpuComputeProcessSchema = z.object({
  pid: z.number().int().nonnegative(),
  processName: z.string(),
  /** `null` where the driver does not report it (e.g. Windows WDDM prints "[N/A]"). */
  usedMemoryMB: z.number().nonnegative().nullable(),
});
/** A process holding a GPU compute context. */
export type GpuComputeProcess = z.infer<typeof GpuComputeProcessSchema>;

/** Compute processes plus how the query went. */
export const GpuComputeProcessListSchema = z.object({
  processes: z.array(GpuComputeProcessSchema),
  probe: ProbeResultSchema,
});
/** Compute processes plus how the query went. */
export type GpuComputeProcessList = z.infer<typeof GpuComputeProcessListSchema>;
