/**
 * Schedule reasons, diagnostics and the hardware summary as codes with parameters. The
 * engine sends a {@link Reason} next to its English text (which logs, the tray and support
 * bundles keep); the dashboard translates the code (key `reasons.<code>` of its strings)
 * and shows the English text for a code it does not know (a newer engine).
 *
 * A parameter's name says its kind, so that the dashboard can format it in the language on
 * screen without importing anything but types: `…At` an ISO time, `…Seconds` a duration,
 * `…C` degrees Celsius, `…Usd` US dollars, `…Count` a whole number. Any other name is text
 * shown as sent (a model id, a GPU's name, a log line).
 */
import { z } from 'zod';

/** Every code and the names of its parameters. */
export const REASON_PARAMS = {
  'schedule.manual': [],
  'schedule.timedPause': ['untilAt'],
  'schedule.hot': ['temperatureC', 'limitC'],
  'schedule.cooling': ['temperatureC', 'limitC', 'resumeBelowC'],
  'schedule.gpuBusy': ['program'],
  'schedule.battery': [],
  'schedule.netNegative': [],
  'schedule.always': [],
  'schedule.inWindow': [],
  'schedule.noWindows': [],
  'schedule.outsideWindow': [],
  'schedule.outsideWindowNext': ['nextAt'],
  'schedule.noIdleSignal': [],
  'schedule.idle': ['idleSeconds'],
  'schedule.userActive': [],
  'schedule.idleWaiting': ['thresholdSeconds'],

  'hardware.noGpu': ['coreCount'],
  'hardware.noUsableBackend': ['gpuCount', 'gpus', 'coreCount'],
  'hardware.noSuitableGpu': ['gpuCount', 'gpus', 'coreCount'],
  'hardware.backend': ['gpuCount', 'gpus', 'backend'],
  'hardware.backendUnverified': ['gpuCount', 'gpus', 'backend'],

  'diag.gpuDetecting': [],
  'diag.gpuNone': [],
  'diag.gpuUnusable': ['gpus'],
  'diag.gpuOk': ['gpus', 'backend'],
  'diag.modelNone': [],
  'diag.modelLoaded': ['models'],
  'diag.modelCold': ['models'],
  'diag.linkOnline': ['gateway'],
  'diag.linkDisabled': [],
  'diag.linkConnecting': ['gateway'],
  'diag.linkOffline': ['gateway'],
  'diag.linkOfflineWhy': ['gateway', 'why'],
  'diag.enrolled': [],
  'diag.notEnrolled': [],
  'diag.priceNoModel': [],
  'diag.priceHigh': ['model', 'askUsd', 'medianUsd'],
  'diag.priceHighMore': ['model', 'askUsd', 'medianUsd', 'moreCount'],
  'diag.priceNoMarket': [],
  'diag.priceOk': [],
  'diag.errorsNone': [],
  'diag.errorsSome': ['errorCount', 'warningCount', 'latest'],

  'fix.gpuDriver': [],
  'fix.serveModel': [],
  'fix.join': [],
  'fix.waitConnecting': [],
  'fix.checkConnection': [],
  'fix.resume': [],
  'fix.waitIdle': [],
  'fix.addHours': [],
  'fix.waitCause': [],
  'fix.lowerPrice': [],
  'fix.readLogs': [],
} as const satisfies Record<string, readonly string[]>;

/** A code this build knows. */
export type ReasonCode = keyof typeof REASON_PARAMS;

/** Numbers for the names that say a number (see the file's comment), text for the rest. */
type ParamValue<Name extends string> = Name extends `${string}${'Seconds' | 'C' | 'Usd' | 'Count'}`
  ? number
  : string;

/** The parameters of one code, typed by their names. */
export type ReasonParams<C extends ReasonCode> = {
  [Name in (typeof REASON_PARAMS)[C][number]]: ParamValue<Name>;
};

/** A reason as it travels: the code may be one this build does not know. */
export interface Reason {
  code: string;
  params: Record<string, string | number>;
}

/** {@link Reason} as a zod schema, for the schemas that carry one. */
export const reasonSchema = z.object({
  code: z.string().min(1).max(64),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});

/** Builds a reason, its parameters checked against the code. */
export function reason<C extends ReasonCode>(code: C, params: ReasonParams<C>): Reason {
  return { code, params };
}
