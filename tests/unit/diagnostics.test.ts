/** diagnose(): each check's ok, problem and not-applicable cases, over hand-built snapshots. */
import { describe, expect, it } from 'vitest';
import type { HardwareReport } from '../../common/hardware.js';
import type { DiagnosticCheck, LogEntry, ModelStatus, NodeStatus } from '../../common/nodeApi.js';
import { REASON_PARAMS } from '../../common/reasonCodes.js';
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
    hardware: {
      summary: '1 GPU detected',
      summaryCode: {
        code: 'hardware.backend',
        params: { gpuCount: 1, gpus: 'x', backend: 'CUDA' },
      },
      backend: 'cuda',
    },
    schedule: {
      mode: 'always',
      state: 'serving',
      reason: 'serving: always on',
      reasonCode: { code: 'schedule.always', params: {} },
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
    summaryCode: { code: 'hardware.noGpu', params: { coreCount: 4 } },
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
    expect(checks.every((check) => check.ok === true && check.fixCode === null)).toBe(true);
    expect(checks.every((check) => check.fix === null)).toBe(true);
    expect(checks[0]!.detailCode).toEqual({
      code: 'diag.gpuOk',
      params: { gpus: 'RTX 4070', backend: 'cuda' },
    });
    // The English, for support bundles, says the same.
    expect(checks[0]!.detail).toBe('Using RTX 4070 (cuda).');
  });

  it('every detail and fix code is one the dashboard can translate', () => {
    const checks = [
      ...diagnose(healthy),
      ...diagnose({
        hardware: null,
        status: status({ models: [] }),
        enrolled: false,
        recentErrors: [],
      }),
    ];
    for (const check of checks) {
      expect(Object.keys(REASON_PARAMS)).toContain(check.detailCode.code);
      if (check.fixCode) expect(Object.keys(REASON_PARAMS)).toContain(check.fixCode.code);
      expect(check.fix === null).toBe(check.fixCode === null);
    }
  });

  it('gpu: CPU-only is not a problem, an unusable GPU is, unknown hardware is not applicable', () => {
    expect(find({ hardware: hardware([], 'cpu') }, 'gpu')).toMatchObject({
      ok: null,
      detailCode: { code: 'diag.gpuNone', params: {} },
      fixCode: null,
    });
    const unusable = find({ hardware: hardware(['GTX 680'], 'cpu') }, 'gpu');
    expect(unusable).toMatchObject({
      ok: false,
      detailCode: { code: 'diag.gpuUnusable', params: { gpus: 'GTX 680' } },
      fixCode: { code: 'fix.gpuDriver', params: {} },
    });
    expect(unusable.fix).toMatch(/driver/);
    expect(find({ hardware: null }, 'gpu')).toMatchObject({
      ok: null,
      detailCode: { code: 'diag.gpuDetecting' },
    });
  });

  it('model: none served is a problem; served but not loaded yet is not applicable', () => {
    const none = find({ status: status({ models: [] }) }, 'model');
    expect(none).toMatchObject({
      ok: false,
      detail: 'No model is being served.',
      detailCode: { code: 'diag.modelNone', params: {} },
      fixCode: { code: 'fix.serveModel', params: {} },
    });
    const cold = find({ status: status({ models: [model({ loaded: false })] }) }, 'model');
    expect(cold).toMatchObject({
      ok: null,
      detailCode: { code: 'diag.modelCold', params: { models: 'qwen' } },
    });
  });

  it('link: disabled, connecting and offline are problems; offline says why', () => {
    const link = (state: NodeStatus['link']['state'], extra = {}) =>
      find({ status: status({ link: { ...status().link, state, ...extra } }) }, 'link');
    expect(link('online').detailCode).toEqual({
      code: 'diag.linkOnline',
      params: { gateway: 'https://gw.example' },
    });
    expect(link('disabled')).toMatchObject({
      ok: false,
      detailCode: { code: 'diag.linkDisabled' },
      fixCode: { code: 'fix.join' },
    });
    expect(link('connecting')).toMatchObject({
      ok: false,
      detailCode: { code: 'diag.linkConnecting', params: { gateway: 'https://gw.example' } },
      fixCode: { code: 'fix.waitConnecting' },
    });
    const offline = link('offline', { code: 4003, reason: 'node banned' });
    expect(offline).toMatchObject({
      ok: false,
      detailCode: {
        code: 'diag.linkOfflineWhy',
        params: { gateway: 'https://gw.example', why: '4003, node banned' },
      },
      fixCode: { code: 'fix.checkConnection' },
    });
    expect(offline.detail).toContain('(4003, node banned)');
    expect(link('offline').detailCode.code).toBe('diag.linkOffline');
  });

  it('enrolled: a node without an identity is told to join', () => {
    const check = find({ enrolled: false }, 'enrolled');
    expect(check).toMatchObject({
      ok: false,
      detailCode: { code: 'diag.notEnrolled' },
      fixCode: { code: 'fix.join' },
    });
    expect(check.fix).toMatch(/Join a network/);
    expect(find({}, 'enrolled').detailCode.code).toBe('diag.enrolled');
  });

  it('schedule: not serving shows its reason and a fix that fits the mode', () => {
    const schedule = (over: Partial<NodeStatus['schedule']>) =>
      find({ status: status({ schedule: { ...status().schedule, ...over } }) }, 'schedule');
    const userActive = { code: 'schedule.userActive', params: {} };
    const idle = schedule({
      mode: 'idle',
      state: 'paused',
      reason: 'paused: user active',
      reasonCode: userActive,
    });
    // The detail is the schedule's own reason, so the dashboard shows it translated.
    expect(idle).toMatchObject({ ok: false, detailCode: userActive });
    expect(idle.detail).toBe('Not serving: paused: user active.');
    expect(find({}, 'schedule')).toMatchObject({
      ok: true,
      detailCode: { code: 'schedule.always', params: {} },
      fixCode: null,
    });
    const fixOf = (over: Partial<NodeStatus['schedule']>) => schedule(over).fixCode?.code;
    expect(fixOf({ mode: 'idle', state: 'waiting' })).toBe('fix.waitIdle');
    expect(fixOf({ mode: 'paused', state: 'paused' })).toBe('fix.resume');
    expect(fixOf({ mode: 'scheduled', state: 'waiting' })).toBe('fix.addHours');
    expect(fixOf({ mode: 'always', state: 'paused' })).toBe('fix.waitCause');
    expect(schedule({ mode: 'paused', state: 'paused' }).fix).toMatch(/Resume/);
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
    expect(high).toMatchObject({
      ok: false,
      detailCode: {
        code: 'diag.priceHigh',
        params: { model: 'qwen', askUsd: 0.9, medianUsd: 0.3 },
      },
      fixCode: { code: 'fix.lowerPrice', params: {} },
    });
    expect(high.detail).toContain('qwen asks $0.9 per 1M completion tokens, the median is $0.3');
    const two = find(
      {
        status: status({
          models: ['a', 'b'].map((id) =>
            model({ id, market, price: { prompt: 0.1, completion: 0.9 } }),
          ),
        }),
      },
      'price',
    );
    expect(two.detailCode).toEqual({
      code: 'diag.priceHighMore',
      params: { model: 'a', askUsd: 0.9, medianUsd: 0.3, moreCount: 1 },
    });
    expect(find({}, 'price').detailCode.code).toBe('diag.priceNoMarket');
    expect(find({ status: status({ models: [] }) }, 'price')).toMatchObject({
      ok: null,
      detailCode: { code: 'diag.priceNoModel' },
    });
  });

  it('errors: counts errors and warnings of the last hour and quotes the latest', () => {
    const check = find(
      {
        recentErrors: [entry('warn', 'slow disk'), entry('error', 'link lost'), entry('info', 'x')],
      },
      'errors',
    );
    expect(check).toMatchObject({
      ok: false,
      detailCode: {
        code: 'diag.errorsSome',
        params: { errorCount: 1, warningCount: 1, latest: 'link lost' },
      },
      fixCode: { code: 'fix.readLogs', params: {} },
    });
    expect(check.detail).toBe('1 error and 1 warning in the last hour; the latest: "link lost".');
    expect(find({ recentErrors: [entry('warn', 'slow')] }, 'errors').detailCode.params).toEqual({
      errorCount: 0,
      warningCount: 1,
      latest: 'slow',
    });
    expect(find({ recentErrors: [entry('info', 'hello')] }, 'errors')).toMatchObject({
      ok: true,
      detailCode: { code: 'diag.errorsNone' },
    });
  });
});
