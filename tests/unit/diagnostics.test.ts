/** diagnose(): each check's ok, problem and not-applicable cases, over hand-built snapshots. */
import { describe, expect, it } from 'vitest';
import type { HardwareReport } from '../../common/hardware.js';
import type { DiagnosticCheck, LogEntry, ModelStatus, NodeStatus } from '../../common/nodeApi.js';
import { diagnose, type DiagnosisInput } from '../../main/engine/diagnostics/diagnose.js';

const totals = {
  requests: 0,
  rejections: {},
  errors: 0,
  promptTokens: 0,
  completionTokens: 0,
  tokensPerSecond: { p50: null, p95: null },
  timeToFirstTokenMs: { p50: null, p95: null },
};

function model(overrides: Partial<ModelStatus> = {}): ModelStatus {
  return {
    id: 'qwen',
    loaded: true,
    slots: 1,
    running: 0,
    price: { prompt: 0.1, completion: 0.4 },
    market: null,
    tokensPerSecond: null,
    earningsPerHour: null,
    electricityPerHour: null,
    netPerHour: null,
    ...overrides,
  };
}

function status(overrides: Partial<NodeStatus> = {}): NodeStatus {
  return {
    version: '0.1.0',
    hardware: { summary: '1 GPU detected', backend: 'cuda' },
    schedule: {
      mode: 'always',
      state: 'serving',
      reason: 'serving: always on',
      since: '2025-01-01T00:00:00.000Z',
      pausedUntil: null,
      signals: {
        userIdleSeconds: null,
        onBattery: null,
        gpuBusyWith: null,
        gpuTemperatureC: null,
        gpuWatts: null,
      },
      decisions: [],
    },
    link: {
      state: 'online',
      gatewayURL: 'https://gw.example',
      nodeId: 'n1',
      code: null,
      reason: null,
    },
    models: [model()],
    stats: { ...totals, uptimeSeconds: 1, startedAt: '2025-01-01T00:00:00.000Z', perModel: {} },
    earnings: { pending: 0, settled: 0, today: 0, last7Days: 0, last30Days: 0, lifetime: 0 },
    settingsWarning: null,
    ...overrides,
  };
}

function hardware(gpus: string[], backend: HardwareReport['recommendedBackend']): HardwareReport {
  return {
    detectedAt: '2025-01-01T00:00:00.000Z',
    platform: 'linux',
    arch: 'x64',
    cpu: { brand: 'CPU', manufacturer: '', physicalCores: 4, logicalCores: 8 },
    memoryTotalMB: 16_384,
    gpus: gpus.map((name, index) => ({
      index,
      vendor: 'nvidia',
      model: name,
      vramTotalMB: 8192,
      vramFreeMB: null,
      driver: null,
      utilizationPercent: null,
      temperatureC: null,
      powerDrawW: null,
      uuid: null,
      source: 'nvidia-smi',
    })),
    backends: [],
    backendsProbed: false,
    recommendedBackend: backend,
    summary: 'test',
    probes: [],
  };
}

const healthy: DiagnosisInput = {
  hardware: hardware(['RTX 4070'], 'cuda'),
  status: status(),
  enrolled: true,
  recentErrors: [],
};

function find(input: Partial<DiagnosisInput>, id: DiagnosticCheck['id']): DiagnosticCheck {
  return diagnose({ ...healthy, ...input }).find((check) => check.id === id)!;
}

const entry = (level: LogEntry['level'], msg: string): LogEntry => ({
  time: '2025-01-01T00:00:00.000Z',
  level,
  msg,
  fields: {},
});

describe('diagnose', () => {
  it('runs every check in order, all ok on a healthy node, with no fixes', () => {
    const checks = diagnose(healthy);
    expect(checks.map((check) => check.id)).toEqual([
      'gpu',
      'model',
      'link',
      'enrolled',
      'schedule',
      'price',
      'errors',
    ]);
    expect(checks.every((check) => check.ok === true && check.fix === null)).toBe(true);
    expect(checks[0]!.detail).toContain('RTX 4070');
  });

  it('gpu: CPU-only is not a problem, an unusable GPU is, unknown hardware is not applicable', () => {
    expect(find({ hardware: hardware([], 'cpu') }, 'gpu')).toMatchObject({ ok: null, fix: null });
    const unusable = find({ hardware: hardware(['GTX 680'], 'cpu') }, 'gpu');
    expect(unusable.ok).toBe(false);
    expect(unusable.fix).toMatch(/driver/);
    expect(find({ hardware: null }, 'gpu').ok).toBeNull();
  });

  it('model: none served is a problem; served but not loaded yet is not applicable', () => {
    const none = find({ status: status({ models: [] }) }, 'model');
    expect(none).toMatchObject({ ok: false, detail: 'No model is being served.' });
    expect(none.fix).toMatch(/Download a model/);
    const cold = find({ status: status({ models: [model({ loaded: false })] }) }, 'model');
    expect(cold.ok).toBeNull();
    expect(cold.detail).toContain('qwen');
  });

  it('link: disabled, connecting and offline are problems; offline says why', () => {
    const link = (state: NodeStatus['link']['state'], extra = {}) =>
      find({ status: status({ link: { ...status().link, state, ...extra } }) }, 'link');
    expect(link('disabled').ok).toBe(false);
    expect(link('connecting').ok).toBe(false);
    const offline = link('offline', { code: 4003, reason: 'node banned' });
    expect(offline.ok).toBe(false);
    expect(offline.detail).toContain('code 4003, node banned');
  });

  it('enrolled: a node without an identity is told to join', () => {
    const check = find({ enrolled: false }, 'enrolled');
    expect(check.ok).toBe(false);
    expect(check.fix).toMatch(/Join a network/);
  });

  it('schedule: not serving shows its reason and a fix that fits the mode', () => {
    const schedule = (over: Partial<NodeStatus['schedule']>) =>
      find({ status: status({ schedule: { ...status().schedule, ...over } }) }, 'schedule');
    const idle = schedule({ mode: 'idle', state: 'paused', reason: 'paused: user active' });
    expect(idle.ok).toBe(false);
    expect(idle.detail).toBe('Not serving: paused: user active.');
    expect(schedule({ mode: 'idle', state: 'waiting', reason: 'waiting' }).fix).toMatch(/idle/);
    expect(schedule({ mode: 'paused', state: 'paused', reason: 'paused by you' }).fix).toMatch(
      /Resume/,
    );
    expect(schedule({ mode: 'scheduled', state: 'waiting', reason: 'w' }).fix).toMatch(/hours/);
  });

  it('price: above the market p75 is a problem naming the median; no market is fine', () => {
    const market = {
      id: 'qwen',
      prompt: { p25: 0.05, median: 0.1, p75: 0.2 },
      completion: { p25: 0.2, median: 0.3, p75: 0.5 },
      samples: 20,
    };
    const priced = (completion: number) =>
      find(
        { status: status({ models: [model({ market, price: { prompt: 0.1, completion } })] }) },
        'price',
      );
    expect(priced(0.5).ok).toBe(true);
    const high = priced(0.9);
    expect(high.ok).toBe(false);
    expect(high.detail).toContain('Your price is above what 75% of the network asks');
    expect(high.detail).toContain('qwen asks $0.9 per 1M completion tokens, the median is $0.3');
    expect(high.fix).toMatch(/median/);
    expect(find({}, 'price').detail).toMatch(/No market prices/);
    expect(find({ status: status({ models: [] }) }, 'price').ok).toBeNull();
  });

  it('errors: counts errors and warnings of the last hour and quotes the latest', () => {
    const check = find(
      {
        recentErrors: [entry('warn', 'slow disk'), entry('error', 'link lost'), entry('info', 'x')],
      },
      'errors',
    );
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      '1 error and 1 warning in the last hour; the latest error: "link lost".',
    );
    expect(find({ recentErrors: [entry('info', 'hello')] }, 'errors').ok).toBe(true);
  });
});
