/**
 * The engine's own English for every reason code (common/reasonCodes.ts): what logs, the
 * tray, the gateway and support bundles read. The dashboard translates the code instead.
 */
import {
  reason,
  type Reason,
  type ReasonCode,
  type ReasonParams,
} from '../../common/reasonCodes.js';
import { formatClockFrom, formatDuration, formatWeekdayClock } from './schedule/scheduleText.js';

type EnglishTable = { [C in ReasonCode]: (params: ReasonParams<C>, now: Date) => string };

const degrees = (celsius: number) => `${Math.round(celsius)} °C`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const usd = (amount: number) =>
  `$${amount >= 1 ? amount.toFixed(2) : String(Number(amount.toPrecision(2)))}`;
const gpusFound = (p: { gpuCount: number; gpus: string }) =>
  `${p.gpuCount} GPU${p.gpuCount === 1 ? '' : 's'} detected: ${p.gpus}`;
const onCpu = (coreCount: number) => `running on CPU (${plural(coreCount, 'physical core')})`;
const priceHigh = (p: { model: string; askUsd: number; medianUsd: number }) =>
  `Your price is above what 75% of the network asks: ${p.model} asks ${usd(p.askUsd)} per 1M completion tokens, the median is ${usd(p.medianUsd)}`;

const ENGLISH: EnglishTable = {
  'schedule.manual': () => 'paused by you',
  'schedule.timedPause': (p, now) => `paused until ${formatClockFrom(new Date(p.untilAt), now)}`,
  'schedule.hot': (p) => `paused: GPU at ${degrees(p.temperatureC)} (limit ${degrees(p.limitC)})`,
  'schedule.cooling': (p) =>
    `paused: GPU at ${degrees(p.temperatureC)} (limit ${degrees(p.limitC)}, resuming below ${degrees(p.resumeBelowC)})`,
  'schedule.gpuBusy': (p) => `paused: GPU in use by ${p.program}`,
  'schedule.battery': () => 'paused: on battery',
  'schedule.netNegative': () => 'paused: electricity costs more than serving earns',
  'schedule.always': () => 'serving: always on',
  'schedule.inWindow': () => 'serving: inside scheduled hours',
  'schedule.noWindows': () => 'waiting: no scheduled hours set',
  'schedule.outsideWindow': () => 'waiting: outside scheduled hours',
  'schedule.outsideWindowNext': (p) =>
    `waiting: outside scheduled hours (next: ${formatWeekdayClock(new Date(p.nextAt))})`,
  'schedule.noIdleSignal': () => "waiting: no user-activity signal (use mode 'always' on a server)",
  'schedule.idle': (p) => `serving: idle for ${formatDuration(p.idleSeconds)}`,
  'schedule.userActive': () => 'paused: user active',
  'schedule.idleWaiting': (p) =>
    `waiting for ${formatDuration(p.thresholdSeconds)} without user input`,

  'hardware.noGpu': (p) => `No GPU detected; ${onCpu(p.coreCount)}`,
  'hardware.noUsableBackend': (p) =>
    `${gpusFound(p)}; no usable GPU backend, ${onCpu(p.coreCount)}`,
  'hardware.noSuitableGpu': (p) =>
    `${gpusFound(p)}; none suitable for offload, ${onCpu(p.coreCount)}`,
  'hardware.backend': (p) => `${gpusFound(p)}; using the ${p.backend} backend`,
  'hardware.backendUnverified': (p) =>
    `${gpusFound(p)}; using the ${p.backend} backend (not verified: backends not probed)`,

  'diag.gpuDetecting': () => 'Hardware is still being detected.',
  'diag.gpuNone': () =>
    'No GPU detected: the node runs on the CPU, which works but earns less per hour.',
  'diag.gpuUnusable': (p) =>
    `Found ${p.gpus}, but no GPU backend can use it, so the node runs on the CPU.`,
  'diag.gpuOk': (p) => `Using ${p.gpus} (${p.backend}).`,
  'diag.modelNone': () => 'No model is being served.',
  'diag.modelLoaded': (p) => `Loaded and served: ${p.models}.`,
  'diag.modelCold': (p) =>
    `Served but not in memory yet: ${p.models}. A model loads on its first request.`,
  'diag.linkOnline': (p) => `Online with ${p.gateway}.`,
  'diag.linkDisabled': () => 'Not linked to a network.',
  'diag.linkConnecting': (p) => `Connecting to ${p.gateway}…`,
  'diag.linkOffline': (p) => `Offline from ${p.gateway}; it reconnects by itself.`,
  'diag.linkOfflineWhy': (p) => `Offline from ${p.gateway} (${p.why}); it reconnects by itself.`,
  'diag.enrolled': () => 'This node is enrolled with the network.',
  'diag.notEnrolled': () => 'This node is not enrolled yet.',
  'diag.priceNoModel': () => 'No model is served, so there is no price to compare.',
  'diag.priceHigh': (p) => `${priceHigh(p)}.`,
  'diag.priceHighMore': (p) => `${priceHigh(p)}; and ${p.moreCount} more.`,
  'diag.priceNoMarket': () => 'No market prices yet to compare with; any price can win jobs.',
  'diag.priceOk': () => 'Your prices are within what most of the network asks.',
  'diag.errorsNone': () => 'No errors or warnings in the last hour.',
  'diag.errorsSome': (p) =>
    `${plural(p.errorCount, 'error')} and ${plural(p.warningCount, 'warning')} in the last hour; the latest: "${p.latest}".`,

  'fix.gpuDriver': () =>
    'Install or update the GPU driver (CUDA for NVIDIA, Vulkan otherwise), then restart the node.',
  'fix.serveModel': () => 'Download a model on the Models page and turn on Serve.',
  'fix.join': () => 'Join a network with a one-time code from your gateway.',
  'fix.waitConnecting': () => 'Wait a moment; if it stays here, check the internet connection.',
  'fix.checkConnection': () =>
    'Check the internet connection and that the gateway address is right.',
  'fix.resume': () => 'Resume from the dashboard or the tray menu.',
  'fix.waitIdle': () => "It serves once the computer is idle; choose mode 'always' to serve now.",
  'fix.addHours': () => "It serves inside your scheduled hours; add hours or choose mode 'always'.",
  'fix.waitCause': () =>
    'It resumes by itself once the cause is gone; the schedule settings decide what pauses it.',
  'fix.lowerPrice': () => 'Lower the price toward the market median on the Pricing page.',
  'fix.readLogs': () => 'Read the Logs page; export the diagnostics for support if it goes on.',
};

/** A reason with the engine's English for it. */
export interface ExplainedReason {
  code: Reason;
  text: string;
}

/** The English of a known code; `now` places the times of day ("14:30" or "Tue 14:30"). */
function englishReason<C extends ReasonCode>(
  code: C,
  params: ReasonParams<C>,
  now: Date = new Date(),
): string {
  return (ENGLISH[code] as (params: ReasonParams<C>, now: Date) => string)(params, now);
}

/** Builds a reason and its English together, so that the two cannot disagree. */
export function explain<C extends ReasonCode>(
  code: C,
  params: ReasonParams<C>,
  now: Date = new Date(),
): ExplainedReason {
  return { code: reason(code, params), text: englishReason(code, params, now) };
}
