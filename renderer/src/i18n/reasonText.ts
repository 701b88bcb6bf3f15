/**
 * Reasons, diagnostics and the hardware summary in the language on screen. The engine sends
 * each as a code with parameters (common/reasonCodes.ts) next to its English; the text is
 * `reasons.<code>` of the strings, its parameters formatted by what their names say. A code
 * this dashboard does not know (a newer engine) shows the engine's English instead.
 */
import type { i18n as I18n } from 'i18next';
import type { Reason } from '../../../common/reasonCodes.js';
import { formatClockFrom, formatDuration, formatNumber, formatUsd } from '../format/format.js';

/** One parameter as shown: times, durations, temperatures, amounts and counts localized. */
export function formatReasonParam(
  name: string,
  value: string | number,
  language: string,
  now: Date,
): string {
  if (typeof value === 'string')
    return name.endsWith('At') ? formatClockFrom(value, language, now) : value;
  if (name.endsWith('Seconds')) return formatDuration(value, language);
  if (name.endsWith('C')) return `${formatNumber(value, language, 0)} °C`;
  if (name.endsWith('Usd')) return formatUsd(value, language);
  return formatNumber(value, language, name.endsWith('Count') ? 0 : 1);
}

/**
 * The text of `reason` in `i18n`'s language, or `english` (the engine's own words) when
 * there is no code (an older engine) or the code is unknown here.
 */
export function reasonText(
  i18n: I18n,
  reason: Reason | null | undefined,
  english: string,
  now: Date = new Date(),
): string {
  if (!reason) return english;
  const key = `reasons.${reason.code}`;
  // A text, not a group of them (`reasons.schedule`), in the language or its fallback.
  const known = i18n.languages.some(
    (language) => typeof i18n.getResource(language, 'translation', key) === 'string',
  );
  if (!known) return english;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(reason.params))
    params[name] = formatReasonParam(name, value, i18n.language, now);
  // The key is checked above, not by the compiler: a code arrives as any string.
  return i18n.t(key, { ...params, defaultValue: english });
}
