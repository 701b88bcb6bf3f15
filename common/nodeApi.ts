/**
 * `NodeApi`: the one contract between the engine and whatever shows it (the dashboard over
 * Electron IPC, a browser over the headless node's control server, scripts over HTTP).
 * Each verb has a zod schema for its argument; results are plain JSON types. Amounts are
 * USD as numbers (the ledger keeps integer nano-USD and converts at this edge).
 */
import { z } from 'zod';
import type { HardwareReport } from './hardware.js';
import type { Reason } from './reasonCodes.js';
import { isNodeApiVerb, NODE_API_VERBS, type NodeApiVerb } from './nodeApiVerbs.js';
import {
  modelPriceSchema,
  type MarketModel,
  type ModelPrice,
  type NodeStandingView,
} from './protocol.js';
import {
  scheduleModeSchema,
  settingsPatchSchema,
  type ScheduleMode,
  type Settings,
} from './settings.js';

/** Where the schedule stands: `waiting` for idle time or a window, `paused` for a reason. */
export type ScheduleState = 'serving' | 'waiting' | 'paused';

/** One scheduling decision, with the reason the provider sees ("paused: user active"). */
export interface ScheduleDecision {
  state: ScheduleState;
  /** In English, for logs and the tray. */
  reason: string;
  /** The reason as a code, which the dashboard translates. */
  reasonCode: Reason;
  /** ISO time. */
  at: string;
}

/** The latest readings of the scheduler's signals; null where no source reports one. */
export interface SignalReadings {
  userIdleSeconds: number | null;
  onBattery: boolean | null;
  /** Another program's GPU use, e.g. "game.exe (pid 4242)"; null when the GPU is ours. */
  gpuBusyWith: string | null;
  gpuTemperatureC: number | null;
  /** Measured GPU power draw, for the electricity estimate. */
  gpuWatts: number | null;
}

export interface ScheduleStatus {
  mode: ScheduleMode;
  state: ScheduleState;
  /** In English, for logs and the tray. */
  reason: string;
  /** The reason as a code, which the dashboard translates. */
  reasonCode: Reason;
  /** ISO time of the last state change. */
  since: string;
  pausedUntil: string | null;
  signals: SignalReadings;
  /** Recent decisions, newest first. */
  decisions: ScheduleDecision[];
}

/** Percentiles of a measure; null before any sample. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface StatsTotals {
  requests: number;
  /** Offers refused, by reason (`busy`, `paused`, `price`, …). */
  rejections: Record<string, number>;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Completion tokens per second of each request. */
  tokensPerSecond: Percentiles;
  timeToFirstTokenMs: Percentiles;
}

export type StatsBucketSize = 'minute' | 'hour' | 'day';

export interface StatsBucket extends StatsTotals {
  /** ISO start of the bucket. */
  start: string;
}

export interface ServedStats extends StatsTotals {
  uptimeSeconds: number;
  /** ISO time the engine started. */
  startedAt: string;
  perModel: Record<string, StatsTotals>;
}

/** Amounts in USD. */
export interface EarningsBalances {
  /** Served, awaiting the gateway's receipt (from the node's own metering). */
  pending: number;
  /** Confirmed by signed receipts. */
  settled: number;
  today: number;
  last7Days: number;
  last30Days: number;
  lifetime: number;
}

/** A receipt that disagrees with what the node metered, or a job the gateway does not know. */
export interface Discrepancy {
  jobId: string;
  model: string;
  /** What differs, e.g. "completion tokens: receipt 90, metered 100". */
  detail: string;
  at: string;
}

export interface EarningsPoint {
  /** `YYYY-MM-DD` (local day) or a model id. */
  key: string;
  amount: number;
  jobs: number;
  promptTokens: number;
  completionTokens: number;
}

export interface EarningsSummary extends EarningsBalances {
  perDay: EarningsPoint[];
  perModel: EarningsPoint[];
  discrepancies: Discrepancy[];
  /** Settled earnings as split at the time (USD). */
  split: { rewards: number; exchange: number; mission: number };
}

/** One model: how it is served, priced, and what it might earn. */
export interface ModelStatus {
  id: string;
  /** In memory with its slots ready (false while loading or unloaded). */
  loaded: boolean;
  slots: number;
  /** Generations running now (network and local). */
  running: number;
  price: ModelPrice;
  /** The network's quartiles for this model, when the gateway has published them. */
  market: MarketModel | null;
  /** Measured completion tokens/s (p50), null before any request. */
  tokensPerSecond: number | null;
  /** USD per hour at full use and the measured speed; null before any request. */
  earningsPerHour: number | null;
  /** USD per hour of electricity while serving; null when no price or draw is known. */
  electricityPerHour: number | null;
  /** Earnings minus electricity per hour; null when either is unknown. */
  netPerHour: number | null;
}

export interface LinkStatusView {
  state: 'connecting' | 'online' | 'offline' | 'disabled';
  gatewayURL: string | null;
  nodeId: string | null;
  code: number | null;
  reason: string | null;
  /**
   * The gateway refused this node's protocol version (or spoke one it does not know): the
   * link has stopped, and only an update of the node helps. Absent from older engines.
   */
  updateRequired?: boolean;
}

/** The engine's state in one snapshot: what `GET /api/status` returns. */
export interface NodeStatus {
  version: string;
  /** `summary` in English, `summaryCode` for the dashboard to translate. */
  hardware: { summary: string; summaryCode: Reason; backend: string };
  schedule: ScheduleStatus;
  link: LinkStatusView;
  models: ModelStatus[];
  stats: ServedStats;
  earnings: EarningsBalances;
  /** A problem with the settings file (it was set aside), or null. */
  settingsWarning: string | null;
  /** The node's standing as the gateway last told it (null before it did, or from an older gateway). */
  standing?: NodeStanding | null;
}

/** The node's standing on the network, with its contributor milestone. */
export interface NodeStanding extends NodeStandingView {
  /** The largest lifetime-tokens milestone reached, or null before the first. */
  milestone: number | null;
  /** The next milestone to reach (null past the last). */
  nextMilestone: number | null;
  /** ISO time the gateway sent it. */
  at: string;
}

/** A GGUF file in the node's models folder. */
export interface InstalledModel {
  /** The id clients ask for: the file name without `.gguf`. */
  id: string;
  file: string;
  sizeBytes: number;
  /** Loaded and offered to the network (and the local endpoint). */
  served: boolean;
}

/** A model the dashboard can suggest, with what it needs. */
export interface CatalogModel {
  id: string;
  name: string;
  url: string;
  sizeBytes: number;
  /** Hex SHA-256 of the file, checked after download. */
  sha256: string | null;
  /** VRAM (or RAM on CPU) it needs to run comfortably. */
  minMemoryMB: number;
  /** It fits this machine's VRAM (or RAM without a GPU). */
  fits: boolean;
  recommended: boolean;
}

export interface DownloadView {
  id: string;
  url: string;
  file: string;
  state: 'downloading' | 'verifying' | 'done' | 'failed' | 'cancelled';
  receivedBytes: number;
  /** Null when the server did not say. */
  totalBytes: number | null;
  /** Bytes per second, averaged over the last seconds. */
  bytesPerSecond: number | null;
  error: string | null;
}

export interface ModelLibrary {
  /** The folder models are kept in. */
  folder: string;
  installed: InstalledModel[];
  downloads: DownloadView[];
  catalog: CatalogModel[];
}

export interface BenchmarkResult {
  model: string;
  tokensPerSecond: number;
  timeToFirstTokenMs: number;
  /** At the model's price and this speed; null without a price. */
  earningsPerHour: number | null;
}

/** One step of "Why am I not earning?": ok, a problem, or not applicable (null). */
export interface DiagnosticCheck {
  id: 'gpu' | 'model' | 'link' | 'enrolled' | 'schedule' | 'price' | 'errors';
  ok: boolean | null;
  /** What was found, in an English sentence (for support bundles). */
  detail: string;
  /** What was found, as a code the dashboard translates. */
  detailCode: Reason;
  /** What to do about a problem, in English. */
  fix: string | null;
  /** What to do, as a code the dashboard translates. */
  fixCode: Reason | null;
}

export interface LogEntry {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** What the engine pushes to a dashboard, besides answering calls. */
export type NodeEvent =
  | { type: 'status'; status: NodeStatus }
  | { type: 'download'; download: DownloadView }
  | { type: 'log'; entry: LogEntry };

const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => /^https?:\/\/[^\s]+$/i.test(value), 'must be an http:// or https:// URL');
const modelId = z.string().min(1).max(128);

/** The argument schema of each verb. */
export const nodeApiArgs = {
  getStatus: z.object({}).strict(),
  getSettings: z.object({}).strict(),
  updateSettings: settingsPatchSchema.strict(),
  setMode: z.object({ mode: scheduleModeSchema }).strict(),
  /** Pause for a while (minutes), or until resumed when `minutes` is absent. */
  pause: z.object({ minutes: z.number().positive().max(10_080).optional() }).strict(),
  /** Ends a timed pause, and leaves mode `paused` for the engine's usual mode ('always' headless, 'idle' in the app). */
  resume: z.object({}).strict(),
  /** A model's own price, or the default price without `model`; `price: null` drops a model's own. */
  setPrice: z
    .object({ model: z.string().min(1).max(128).optional(), price: modelPriceSchema.nullable() })
    .strict(),
  /** Signals from a shell or script: the Electron shell's powerMonitor, a headless helper. */
  reportSignals: z
    .object({
      userIdleSeconds: z.number().min(0).max(1e9).optional(),
      onBattery: z.boolean().optional(),
    })
    .strict(),
  getStats: z.object({ bucket: z.enum(['minute', 'hour', 'day']) }).strict(),
  getEarnings: z.object({}).strict(),
  exportEarningsCsv: z.object({}).strict(),
  /** GPUs (utilization, VRAM, temperature), CPU and backends; re-read at most every few seconds. */
  getHardware: z.object({}).strict(),
  listModels: z.object({}).strict(),
  /** Downloads into the models folder (resumable; checked against `sha256` when given). */
  downloadModel: z
    .object({
      url: httpUrl,
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex digits')
        .optional(),
      fileName: z
        .string()
        .regex(/^[\w.-]{1,120}\.gguf$/, 'must be a plain file name ending in .gguf')
        .optional(),
    })
    .strict(),
  cancelDownload: z.object({ id: z.string().min(1).max(128) }).strict(),
  /** Loads an installed model and offers it (`serve: true`), or stops offering and unloads it. */
  serveModel: z.object({ id: modelId, serve: z.boolean() }).strict(),
  /** Measures tokens/s of a served model with a short local generation. */
  runBenchmark: z.object({ model: modelId }).strict(),
  /** Enrolls with a one-time code and links to the gateway. */
  joinNetwork: z
    .object({
      gatewayURL: httpUrl,
      code: z.string().min(1).max(128),
      name: z.string().min(1).max(128).optional(),
      /** Allows plain http:// to a gateway on another machine (a lab's private network). */
      insecure: z.boolean().optional(),
    })
    .strict(),
  getDiagnostics: z.object({}).strict(),
  /** A JSON bundle for support: status, settings, checks and recent logs, with secrets redacted. */
  exportDiagnostics: z.object({}).strict(),
  getLogs: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
} as const satisfies Record<NodeApiVerb, z.ZodType>;

export { isNodeApiVerb, NODE_API_VERBS, type NodeApiVerb };
export type NodeApiArgs<V extends NodeApiVerb> = z.infer<(typeof nodeApiArgs)[V]>;

/** What each verb resolves to. */
export interface NodeApiResults {
  getStatus: NodeStatus;
  getSettings: Settings;
  updateSettings: Settings;
  setMode: Settings;
  pause: Settings;
  resume: Settings;
  setPrice: Settings;
  reportSignals: SignalReadings;
  getStats: StatsBucket[];
  getEarnings: EarningsSummary;
  exportEarningsCsv: string;
  getHardware: HardwareReport;
  listModels: ModelLibrary;
  downloadModel: DownloadView;
  cancelDownload: DownloadView;
  serveModel: ModelLibrary;
  runBenchmark: BenchmarkResult;
  joinNetwork: LinkStatusView;
  getDiagnostics: DiagnosticCheck[];
  exportDiagnostics: string;
  getLogs: LogEntry[];
}

/** The API as methods: what the engine implements and what the preload exposes. */
export type NodeApi = {
  [V in NodeApiVerb]: (args: NodeApiArgs<V>) => Promise<NodeApiResults[V]>;
};
