import { describe, it, expect } from 'vitest';
import {
  GpuComputeProcessListSchema,
  HardwareReportSchema,
  type GpuInfo,
} from '../../common/hardware.js';
import {
  detectHardware,
  formatHardwareReport,
  listGpuComputeProcesses,
  parseNvidiaSmiGpus,
  parseRocmSmiJson,
  probeLlamaBackends,
  queryNvidiaSmi,
  queryRocmSmi,
  type CommandRunner,
  type LlamaProbeApi,
  type SystemInfoApi,
} from '../../main/engine/hardware/gpuDetect.js';
import { execFileRunner, runTool } from '../../main/engine/hardware/commandRunner.js';

// This machine has no GPU, so recorded nvidia-smi / rocm-smi output stands in for real
// GPUs. The texts below are what those tools print for the queries gpuDetect.ts runs.
const NVIDIA_TWO_GPUS = [
  '0, NVIDIA GeForce RTX 4090, 24564, 23012, 550.54.14, 3, 45, 61.27, GPU-5f3c1a2b-8d4e-4f6a-9b7c-1d2e3f4a5b6c',
  '1, NVIDIA RTX A6000, 49140, [N/A], 550.54.14, [Not Supported], [N/A], [N/A], GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9',
  '',
].join('\n');

const NVIDIA_APPS = [
  '12345, /usr/bin/python3, 20480',
  '6789, C:\\Program Files (x86)\\Steam\\steamapps\\common\\Cyberpunk 2077\\bin\\x64\\Cyberpunk2077.exe, [N/A]',
  '4242, /opt/my, weird, name/app, 512',
].join('\r\n');

const ROCM_JSON = `WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status

{"card0": {"Card series": "Navi 31 [Radeon RX 7900 XT/7900 XTX]", "Card model": "0x744c",
 "Card vendor": "Advanced Micro Devices, Inc. [AMD/ATI]", "Card SKU": "EXT94412", "Unique ID": "0x8b3f1c2d4e5a6f70",
 "VRAM Total Memory (B)": "25753026560", "VRAM Total Used Memory (B)": "1073741824", "GPU use (%)": "12",
 "Temperature (Sensor edge) (C)": "41.0", "Temperature (Sensor junction) (C)": "45.0"},
 "card1": {"Card Series": "N/A", "Card model": "0x164e", "VRAM Total Memory (B)": "N/A", "GPU use (%)": "N/A"},
 "system": {"Driver version": "6.7.0"}}
`;

function execError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('Command failed'), fields);
}

/** A runner that answers from recorded output; `null` means "binary not installed". */
function recorded(answers: {
  gpus?: string | Error | null;
  apps?: string | Error | null;
  rocm?: string | Error | null;
}): CommandRunner {
  return async (file, args) => {
    const answer =
      file === 'rocm-smi'
        ? answers.rocm
        : args[0]?.startsWith('--query-compute-apps')
          ? answers.apps
          : answers.gpus;
    if (answer === undefined || answer === null) throw execError({ code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return { stdout: answer, stderr: '' };
  };
}

/** The per-GPU values that differ between cards, in a compact row. */
// prettier-ignore
const fields = (g: GpuInfo): unknown[] => [g.index, g.model, g.vramTotalMB, g.vramFreeMB, g.driver, g.utilizationPercent, g.temperatureC, g.powerDrawW, g.uuid];

const noGpuSystemInfo: SystemInfoApi = {
  graphics: async () => ({ controllers: [] }),
  cpu: async () => ({ brand: 'Ryzen 7 5800X', manufacturer: 'AMD', physicalCores: 8, cores: 16 }),
  mem: async () => ({ total: 32 * 1024 ** 3 }),
};

// The dev machines have no GPU; on a lent GPU machine the same tests check the CUDA path.
describe('detectHardware on this machine', () => {
  it('returns a valid report, cpu backend loads; without nvidia-smi it recommends cpu', async () => {
    const report = await detectHardware({ probeBackends: true });
    expect(() => HardwareReportSchema.parse(report)).not.toThrow();
    expect(report.backendsProbed).toBe(true);
    expect(report.backends.find((b) => b.backend === 'cpu')?.available).toBe(true);
    expect(report.cpu.physicalCores).toBeGreaterThan(0);
    expect(report.memoryTotalMB).toBeGreaterThan(0);
    const smi = report.probes.find((p) => p.name === 'nvidia-smi');
    if (smi?.note === 'not installed') {
      expect(report.gpus.filter((g) => g.source === 'nvidia-smi')).toEqual([]);
      expect(report.recommendedBackend).toBe('cpu');
      expect(report.backends.find((b) => b.backend === 'cuda')?.available).toBe(false);
      expect(report.summary).toMatch(/running on CPU \(\d+ physical cores?\)/);
      expect(formatHardwareReport(report)).toContain('recommended: cpu');
    } else {
      expect(smi?.ok).toBe(true);
      expect(report.gpus.some((g) => g.source === 'nvidia-smi' && g.vramTotalMB)).toBe(true);
      expect(report.recommendedBackend).toBe('cuda');
    }
  }, 120_000);

  it('memoizes the real backend probe', async () => {
    const first = probeLlamaBackends();
    expect(probeLlamaBackends()).toBe(first);
    expect((await first).probe.ok).toBe(true);
  }, 120_000);

  it('lists compute processes without throwing (none without nvidia-smi)', async () => {
    const list = GpuComputeProcessListSchema.parse(await listGpuComputeProcesses());
    expect(list.probe.ok).toBe(true);
    if (list.probe.note === 'not installed') expect(list.processes).toEqual([]);
  });
});

describe('nvidia-smi parsing (recorded output)', () => {
  it('parses two GPUs, turning [N/A] and [Not Supported] into null', () => {
    const { rows, malformedLines } = parseNvidiaSmiGpus(NVIDIA_TWO_GPUS);
    expect(malformedLines).toBe(0);
    expect(rows.every((g) => g.vendor === 'nvidia' && g.source === 'nvidia-smi')).toBe(true);
    // prettier-ignore
    expect(rows.map(fields)).toEqual([
      [0, 'NVIDIA GeForce RTX 4090', 24564, 23012, '550.54.14', 3, 45, 61.27, 'GPU-5f3c1a2b-8d4e-4f6a-9b7c-1d2e3f4a5b6c'],
      [1, 'NVIDIA RTX A6000', 49140, null, '550.54.14', null, null, null, 'GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9'],
    ]);
  });

  it('merges nvidia-smi over systeminformation, drops display-only adapters, recommends cuda', async () => {
    const systemInfo: SystemInfoApi = {
      ...noGpuSystemInfo,
      graphics: async () => ({
        controllers: [
          { vendor: 'NVIDIA Corporation', model: 'AD102 [GeForce RTX 4090]', vram: 24564 },
          { vendor: 'VMware', model: 'SVGA II Adapter', vram: 8 },
          { vendor: 'Intel Corporation', model: 'UHD Graphics 770', vram: 256, vramDynamic: true },
        ],
      }),
    };
    const report = await detectHardware({
      exec: recorded({ gpus: NVIDIA_TWO_GPUS }),
      systemInfo,
      platform: 'linux',
      arch: 'x64',
    });
    expect(report.gpus.map((g) => [g.source, g.model, g.powerDrawW])).toEqual([
      ['nvidia-smi', 'NVIDIA GeForce RTX 4090', 61.27],
      ['nvidia-smi', 'NVIDIA RTX A6000', null],
      ['systeminformation', 'UHD Graphics 770', null],
    ]);
    expect(report.recommendedBackend).toBe('cuda');
    expect(report.summary).toContain('3 GPUs detected: NVIDIA GeForce RTX 4090 (24564 MB)');
    expect(report.summary).toContain('not verified');
    expect(report.summaryCode).toMatchObject({
      code: 'hardware.backendUnverified',
      params: { gpuCount: 3, backend: 'CUDA' },
    });
    expect(report.summaryCode.params.gpus).toMatch(/^NVIDIA GeForce RTX 4090 \(24564 MB\), /);
    const text = formatHardwareReport(report).split('\n');
    expect(text.filter((l) => l.startsWith('GPU '))).toHaveLength(3);
    expect(text).toContain(
      'GPU 0: NVIDIA GeForce RTX 4090 [nvidia via nvidia-smi] VRAM 23012/24564 MB free, driver 550.54.14, util 3%, 45 C',
    );
  });

  it('only recommends cuda when the cuda binary really loads', async () => {
    const llama = (cudaLoadsAs: 'cuda' | false): LlamaProbeApi => ({
      getLlamaGpuTypes: async (include) =>
        include === 'allValid' ? ['cuda', 'vulkan', false] : ['cuda', false],
      loadBackend: async (gpu) => (gpu === 'cuda' ? cudaLoadsAs : gpu),
    });
    const base = {
      exec: recorded({ gpus: NVIDIA_TWO_GPUS }),
      systemInfo: noGpuSystemInfo,
      probeBackends: true,
      platform: 'linux',
      arch: 'x64',
    };
    const good = await detectHardware({ ...base, llama: llama('cuda') });
    expect(good.recommendedBackend).toBe('cuda');
    const status = (backend: string) => good.backends.find((b) => b.backend === backend);
    expect(status('metal')).toMatchObject({
      available: false,
      error: /not valid on this platform/,
    });
    expect(status('vulkan')).toMatchObject({ available: false, supported: false });
    const fellBack = await detectHardware({ ...base, llama: llama(false) });
    expect(fellBack.backends.find((b) => b.backend === 'cuda')).toMatchObject({
      available: false,
      error: 'fell back to cpu',
    });
    expect(fellBack.recommendedBackend).toBe('cpu');
    expect(fellBack.summary).toContain('no usable GPU backend, running on CPU (8 physical cores)');
    expect(fellBack.summaryCode).toEqual({
      code: 'hardware.noUsableBackend',
      params: { gpuCount: 2, gpus: expect.stringContaining('NVIDIA'), coreCount: 8 },
    });
    expect(good.summaryCode.code).toBe('hardware.backend');
  });
});

describe('failures become failed probes, never exceptions', () => {
  const both = (answer: string | Error): CommandRunner => recorded({ gpus: answer, rocm: answer });
  const cases: Array<[string, CommandRunner, RegExp]> = [
    ['garbage output', both('Segmentation fault\n\u0000\u0001#@!garbage'), /unparseable output/],
    [
      'non-zero exit',
      both(execError({ code: 9, stdout: "NVIDIA-SMI has failed because it couldn't communicate" })),
      /exited with code 9: NVIDIA-SMI has failed/,
    ],
    [
      'a runner timeout',
      both(execError({ code: null, killed: true, signal: 'SIGKILL' })),
      /timed out after 3000 ms/,
    ],
    ['a rejected non-Error', () => Promise.reject(new Map()), /nvidia-smi failed: \[object Map\]/],
  ];
  for (const [label, exec, message] of cases) {
    it(`nvidia-smi ${label}`, async () => {
      const report = await detectHardware({ exec, systemInfo: noGpuSystemInfo });
      const probe = report.probes.find((p) => p.name === 'nvidia-smi');
      expect(probe?.ok).toBe(false);
      expect(probe?.error).toMatch(message);
      expect(report.probes.find((p) => p.name === 'rocm-smi')?.ok).toBe(false);
      expect(report.gpus).toEqual([]);
      expect(report.summary).toBe('No GPU detected; running on CPU (8 physical cores)');
      expect(report.summaryCode).toEqual({ code: 'hardware.noGpu', params: { coreCount: 8 } });
    });
  }

  it('keeps good lines and flags the bad ones', async () => {
    const { gpus, probe } = await queryNvidiaSmi({
      exec: recorded({ gpus: `${NVIDIA_TWO_GPUS}oops, half a line\n` }),
    });
    expect(gpus).toHaveLength(2);
    expect(probe).toMatchObject({ ok: false, error: '1 of 3 lines unparseable' });
  });

  it('ends a runner that never settles', async () => {
    const { probe } = await queryNvidiaSmi({
      exec: () => new Promise(() => undefined),
      timeoutMs: 20,
    });
    expect(probe).toMatchObject({ ok: false, error: 'nvidia-smi timed out after 20 ms' });
  });

  it('the real runner reports a hung process as a timeout and a missing binary as absent', async () => {
    const node = (code: string, ms: number) =>
      runTool(execFileRunner, process.execPath, ['-e', code], ms);
    const hung = await node('setTimeout(() => {}, 10000)', 200);
    expect(hung).toMatchObject({ error: expect.stringMatching(/timed out after 200 ms/) });
    const failed = await node('console.log("no driver"); process.exit(3)', 5000);
    expect(failed).toMatchObject({ error: expect.stringMatching(/exited with code 3: no driver/) });
    const missing = await runTool(execFileRunner, 'byoi-no-such-binary-xyz', [], 1000);
    expect(missing.kind).toBe('absent');
  });

  it('systeminformation failures and hangs fall back to node:os', async () => {
    const broken: SystemInfoApi = {
      graphics: () => Promise.reject(new Error('lspci exploded')),
      cpu: () => new Promise(() => undefined),
      mem: () => Promise.reject(new Error('no /proc/meminfo')),
    };
    const report = await detectHardware({
      exec: recorded({}),
      systemInfo: broken,
      systemInfoTimeoutMs: 50,
    });
    const failed = report.probes.filter((p) => !p.ok).map((p) => p.name);
    expect(failed.sort()).toEqual([
      'systeminformation cpu',
      'systeminformation graphics',
      'systeminformation mem',
    ]);
    expect(report.cpu.logicalCores).toBeGreaterThan(0);
    expect(report.memoryTotalMB).toBeGreaterThan(0);
    expect(report.recommendedBackend).toBe('cpu');
  });
});

describe('rocm-smi parsing (recorded output)', () => {
  it('parses cards around warning text, in bytes, with the system driver', () => {
    const gpus = parseRocmSmiJson(ROCM_JSON);
    expect(gpus?.every((g) => g.vendor === 'amd' && g.source === 'rocm-smi')).toBe(true);
    // prettier-ignore
    expect(gpus?.map(fields)).toEqual([
      [0, 'Navi 31 [Radeon RX 7900 XT/7900 XTX]', 24560, 23536, '6.7.0', 12, 41, null, '0x8b3f1c2d4e5a6f70'],
      [1, '0x164e', null, null, '6.7.0', null, null, null, null],
    ]);
  });

  it('reports garbage as a failed probe and recommends vulkan for an AMD card', async () => {
    expect(parseRocmSmiJson('{"card0": {broken')).toBeNull();
    const bad = await queryRocmSmi({ exec: recorded({ rocm: 'ERROR: no JSON here' }) });
    expect(bad).toMatchObject({
      gpus: [],
      probe: { ok: false, error: 'unparseable output (no JSON object)' },
    });
    const report = await detectHardware({
      exec: recorded({ rocm: ROCM_JSON }),
      systemInfo: noGpuSystemInfo,
      platform: 'linux',
      arch: 'x64',
    });
    expect(report.gpus).toHaveLength(2);
    expect(report.recommendedBackend).toBe('vulkan');
  });
});

describe('compute-apps parsing (recorded output)', () => {
  it('parses pids, names with commas, and [N/A] memory', async () => {
    const list = await listGpuComputeProcesses({ exec: recorded({ apps: NVIDIA_APPS }) });
    expect(list.probe.ok).toBe(true);
    expect(list.processes).toEqual([
      { pid: 12345, processName: '/usr/bin/python3', usedMemoryMB: 20480 },
      {
        pid: 6789,
        processName:
          'C:\\Program Files (x86)\\Steam\\steamapps\\common\\Cyberpunk 2077\\bin\\x64\\Cyberpunk2077.exe',
        usedMemoryMB: null,
      },
      { pid: 4242, processName: '/opt/my, weird, name/app', usedMemoryMB: 512 },
    ]);
  });

  it('treats empty output as no processes and garbage or failure as a failed probe', async () => {
    expect(await listGpuComputeProcesses({ exec: recorded({ apps: '\n' }) })).toMatchObject({
      processes: [],
      probe: { ok: true },
    });
    expect(
      (await listGpuComputeProcesses({ exec: recorded({ apps: 'not, a pid, row' }) })).probe,
    ).toMatchObject({ ok: false });
    const failed = await listGpuComputeProcesses({
      exec: recorded({ apps: execError({ code: 6, stderr: 'No devices were found' }) }),
    });
    expect(failed).toMatchObject({
      processes: [],
      probe: { ok: false, error: 'nvidia-smi exited with code 6: No devices were found' },
    });
  });
});
