/**
 * A stand-in for the Electron preload's `window.byoi`, injected into the page before its
 * scripts run: a few canned answers, and an API-shaped error for every other verb.
 * Returned as a script (a string) because it runs in the page, not in Node.
 */
import type { Page } from 'playwright-core';
import type { GpuInfo, HardwareReport } from '../../../common/hardware.js';
import type { UpdateStatus } from '../../../common/ipcContract.js';
import type { NodeStatus } from '../../../common/nodeApi.js';
import { defaultSettings } from '../../../common/settings.js';

export const FAKE_ERROR = 'The fake bridge does not answer this verb';

/** The one GPU the stand-in reports. */
export const FAKE_GPU: GpuInfo = {
  index: 0,
  vendor: 'nvidia',
  model: 'NVIDIA GeForce RTX 4090',
  vramTotalMB: 24_000,
  vramFreeMB: 18_000,
  driver: '560.35',
  utilizationPercent: 37,
  temperatureC: 61,
  powerDrawW: 180,
  uuid: 'GPU-fake',
  source: 'nvidia-smi',
};

/** The hardware summary the stand-in reports, as a code. */
export const FAKE_SUMMARY = {
  code: 'hardware.backendUnverified',
  params: { gpuCount: 1, gpus: FAKE_GPU.model, backend: 'CUDA' },
};

/** The standing the stand-in's gateway sent: two failed jobs today, a milestone reached. */
export const FAKE_STANDING: NonNullable<NodeStatus['standing']> = {
  score: 72,
  rank: 3,
  of: 5,
  tokensServed: 12_345,
  parts: { acceptance: 1, completion: 0.6, availability: 0.9, speed: 0.8 },
  today: [{ kind: 'job_failed', model: 'tiny', count: 2 }],
  milestone: 10_000,
  nextMilestone: 100_000,
  at: '2026-01-01T00:00:00.000Z',
};

/** Options of {@link fakeBridgeScript}. */
export interface FakeBridgeOptions {
  /** The dashboard language the stand-in's settings hold (default: the system's). */
  language?: 'en' | 'fr';
  /** The app's update state the stand-in shell reports (default: a preload without updates). */
  update?: UpdateStatus;
  /** The gateway refused this node's protocol version. */
  updateRequired?: boolean;
}

/** The reason of the stand-in's schedule: a known code, with the engine's English. */
export const FAKE_REASON = {
  reason: 'waiting for 5 min without user input',
  reasonCode: { code: 'schedule.idleWaiting', params: { thresholdSeconds: 300 } },
};

/** A decision with a code this dashboard does not know, as a newer engine could send. */
export const FAKE_NEWER_DECISION = {
  state: 'waiting' as const,
  reason: 'waiting: a rule from a newer engine',
  reasonCode: { code: 'schedule.fromTheFuture', params: { level: 3 } },
  at: '2026-01-01T00:00:00.000Z',
};

export function fakeBridgeScript(options: FakeBridgeOptions = {}): string {
  const defaults = defaultSettings();
  const settings = {
    ...defaults,
    onboarded: true,
    ui: { ...defaults.ui, ...(options.language ? { language: options.language } : {}) },
  };
  const status: NodeStatus = {
    version: '9.9.9',
    hardware: { summary: 'Fake GPU for tests', summaryCode: FAKE_SUMMARY, backend: 'cuda' },
    schedule: {
      mode: 'idle',
      state: 'waiting',
      ...FAKE_REASON,
      since: '2026-01-01T00:00:00.000Z',
      pausedUntil: null,
      signals: {
        userIdleSeconds: 3,
        onBattery: false,
        gpuBusyWith: null,
        gpuTemperatureC: 50,
        gpuWatts: null,
      },
      decisions: [
        { state: 'waiting', ...FAKE_REASON, at: '2026-01-01T00:01:00.000Z' },
        FAKE_NEWER_DECISION,
      ],
    },
    link: {
      state: 'offline',
      gatewayURL: null,
      nodeId: null,
      ...(options.updateRequired
        ? { code: 4001, reason: 'this gateway speaks protocol v2', updateRequired: true }
        : { code: null, reason: 'no gateway' }),
    },
    models: [],
    stats: {
      requests: 0,
      rejections: {},
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      tokensPerSecond: { p50: null, p95: null },
      timeToFirstTokenMs: { p50: null, p95: null },
      uptimeSeconds: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      perModel: {},
    },
    earnings: {
      pending: 0,
      settled: 0,
      today: 0.0000123,
      last7Days: 0,
      last30Days: 0,
      lifetime: 0,
    },
    settingsWarning: null,
    standing: FAKE_STANDING,
  };
  const hardware: HardwareReport = {
    detectedAt: '2026-01-01T00:00:00.000Z',
    platform: 'linux',
    arch: 'x64',
    cpu: { brand: 'Fake CPU', manufacturer: 'Fake', physicalCores: 8, logicalCores: 16 },
    memoryTotalMB: 32_000,
    gpus: [FAKE_GPU],
    backends: [],
    backendsProbed: false,
    recommendedBackend: 'cuda',
    summary: 'Fake GPU for tests',
    summaryCode: FAKE_SUMMARY,
    probes: [],
  };
  const answers = { getSettings: settings, getStatus: status, getHardware: hardware };
  return `(() => {
    const answers = ${JSON.stringify(answers)};
    const calls = [];
    window.__fakeBridgeCalls = calls;
    window.byoi = {
      version: '9.9.9',
      platform: 'linux',
      call(verb, args) {
        calls.push(verb);
        if (verb in answers) return Promise.resolve(answers[verb]);
        return Promise.reject(Object.assign(new Error(${JSON.stringify(FAKE_ERROR)} + ': ' + verb), { status: 501 }));
      },
      onEvent() { return () => {}; },
      engineState() { return Promise.resolve({ state: 'running', lastError: null }); },
      onEngineState(listener) {
        engineListeners.push(listener);
        return () => engineListeners.splice(engineListeners.indexOf(listener), 1);
      },
    };
    const engineListeners = [];
    const update = ${JSON.stringify(options.update ?? null)};
    if (update) {
      Object.assign(window.byoi, {
        updateState: () => Promise.resolve(update),
        onUpdateState: () => () => {},
        restartToUpdate() {
          calls.push('restartToUpdate');
          return Promise.resolve(true);
        },
      });
    }
    window.__fakeEngineState = (state) =>
      engineListeners.forEach((listener) => listener({ state, lastError: null }));
  })();`;
}

/** Makes the stand-in shell report the engine process in `state`. */
export async function setFakeEngineState(page: Page, state: string): Promise<void> {
  await page.evaluate(`window.__fakeEngineState(${JSON.stringify(state)})`);
}
