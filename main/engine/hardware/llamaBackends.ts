/**
 * Which node-llama-cpp backends (cuda, vulkan, metal, cpu) can actually load here.
 * Only prebuilt binaries are tried (`build: "never"`, `skipDownload`), in dry-run mode,
 * so the probe never compiles or downloads anything and leaves no backend loaded.
 */
import type { LlamaGpuType } from 'node-llama-cpp';
import type { BackendStatus, LlamaBackend, ProbeResult } from '../../../common/hardware.js';

/** The slice of node-llama-cpp the probe needs; injectable so tests need no native code. */
export interface LlamaProbeApi {
  /** As node-llama-cpp's `getLlamaGpuTypes`. */
  getLlamaGpuTypes(include: 'supported' | 'allValid'): Promise<LlamaGpuType[]>;
  /** Loads the prebuilt binary for `gpu` and resolves with the type that really loaded. */
  loadBackend(gpu: LlamaGpuType): Promise<LlamaGpuType>;
}

/** Options for {@link probeLlamaBackends}. */
export interface LlamaProbeOptions {
  /** Replaces node-llama-cpp (tests). Injected probes are not memoized. */
  api?: LlamaProbeApi;
  /** Upper bound for one backend load, in ms (default 30000). */
  loadTimeoutMs?: number;
}

/** Backend list plus the probe entry for the report. */
export interface LlamaProbeOutcome {
  backends: BackendStatus[];
  probe: ProbeResult;
}

/** Order matters: it is also the preference order when several work. */
export const LLAMA_BACKENDS: readonly LlamaBackend[] = ['cuda', 'metal', 'vulkan', 'cpu'];

function toGpuType(backend: LlamaBackend): LlamaGpuType {
  return backend === 'cpu' ? false : backend;
}

function backendName(gpu: LlamaGpuType): LlamaBackend {
  return gpu === false ? 'cpu' : gpu;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // NoBinaryFoundError's message is just its own name.
  if (error.message === '' || error.message === error.name)
    return `${error.name}: no usable prebuilt binary`;
  return `${error.name}: ${error.message.split('\n')[0] ?? ''}`;
}

/** The real node-llama-cpp, imported lazily so callers that skip the probe never load it. */
export const nodeLlamaCppProbeApi: LlamaProbeApi = {
  async getLlamaGpuTypes(include) {
    const lib = await import('node-llama-cpp');
    return lib.getLlamaGpuTypes(include);
  },
  async loadBackend(gpu) {
    const lib = await import('node-llama-cpp');
    const llama = await lib.getLlama({
      gpu,
      build: 'never',
      skipDownload: true,
      dryRun: true,
      progressLogs: false,
      logLevel: lib.LlamaLogLevel.disabled,
      logger: () => undefined,
    });
    const loaded = llama.gpu;
    if (!llama.disposed) await llama.dispose();
    return loaded;
  },
};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

async function listTypes(
  api: LlamaProbeApi,
  include: 'supported' | 'allValid',
): Promise<LlamaGpuType[] | Error> {
  try {
    return await api.getLlamaGpuTypes(include);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function probeOne(
  api: LlamaProbeApi,
  backend: LlamaBackend,
  allValid: LlamaGpuType[] | Error,
  supported: LlamaGpuType[] | Error,
  loadTimeoutMs: number,
): Promise<BackendStatus> {
  const gpu = toGpuType(backend);
  const isSupported = Array.isArray(supported) ? supported.includes(gpu) : backend === 'cpu';
  const started = performance.now();
  const done = (available: boolean, error?: string): BackendStatus => ({
    backend,
    available,
    supported: isSupported,
    durationMs: Math.round(performance.now() - started),
    ...(error === undefined ? {} : { error }),
  });
  // Asking for an invalid type makes getLlama silently fall back to "auto", so filter first.
  if (Array.isArray(allValid) && !allValid.includes(gpu))
    return done(false, 'not valid on this platform/architecture');
  if (!isSupported)
    return done(false, 'drivers or libraries not found (getLlamaGpuTypes "supported")');
  try {
    const loaded = await withTimeout(api.loadBackend(gpu), loadTimeoutMs, `loading ${backend}`);
    if (loaded !== gpu) return done(false, `fell back to ${backendName(loaded)}`);
    return done(true);
  } catch (error) {
    return done(false, errorText(error));
  }
}

async function runProbe(api: LlamaProbeApi, loadTimeoutMs: number): Promise<LlamaProbeOutcome> {
  const started = performance.now();
  const allValid = await listTypes(api, 'allValid');
  const supported = await listTypes(api, 'supported');
  const backends: BackendStatus[] = [];
  // One at a time: parallel native loads compete for the same addon lock.
  for (const backend of LLAMA_BACKENDS)
    backends.push(await probeOne(api, backend, allValid, supported, loadTimeoutMs));
  const listError = [allValid, supported].find((r): r is Error => r instanceof Error);
  const usable = backends.filter((b) => b.available).map((b) => b.backend);
  const probe: ProbeResult = {
    name: 'node-llama-cpp backends',
    ok: listError === undefined,
    durationMs: Math.round(performance.now() - started),
    ...(listError
      ? { error: `getLlamaGpuTypes failed: ${errorText(listError)}` }
      : { note: `usable: ${usable.join(', ') || 'none'}` }),
  };
  return { backends, probe };
}

let memoized: Promise<LlamaProbeOutcome> | undefined;

/**
 * Reports, for each of cuda/metal/vulkan/cpu, whether its prebuilt binary loads. Never
 * throws. With the real node-llama-cpp the result is memoized for the process lifetime
 * (drivers rarely change while running); call {@link resetLlamaBackendProbeCache} to redo it.
 */
export function probeLlamaBackends(options: LlamaProbeOptions = {}): Promise<LlamaProbeOutcome> {
  const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
  if (options.api) return runProbe(options.api, loadTimeoutMs);
  memoized ??= runProbe(nodeLlamaCppProbeApi, loadTimeoutMs);
  return memoized;
}

/** Forgets the memoized backend probe. */
export function resetLlamaBackendProbeCache(): void {
  memoized = undefined;
}
