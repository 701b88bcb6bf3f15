/**
 * The dashboard's strings outside the page: an i18next instance per language over
 * renderer/src/i18n/{en,fr}.json, and sample parameters for every reason code, so that tests
 * can say what the dashboard must show for a reason.
 */
import { readFileSync } from 'node:fs';
import i18next, { type i18n as I18n } from 'i18next';
import { REASON_PARAMS, type Reason, type ReasonCode } from '../../../common/reasonCodes.js';

/** A language's strings as nested objects. */
export type StringTree = { [key: string]: string | StringTree };

const read = (language: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../renderer/src/i18n/${language}.json`, import.meta.url), 'utf8'),
  ) as StringTree;

/** The dashboard's languages, with their strings. */
export const STRINGS = { en: read('en'), fr: read('fr') } as const;

/** An i18next instance set up as the dashboard's (renderer/src/i18n/i18n.ts), in `language`. */
export function dashboardI18n(language: keyof typeof STRINGS): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: { en: { translation: STRINGS.en }, fr: { translation: STRINGS.fr } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return instance;
}

/** Intl writes some units with no-break spaces ("5 min" in French): compare them as spaces. */
export function plainSpaces(text: string | null): string {
  return (text ?? '').replace(/\s/g, ' ');
}

/** A value of the kind a parameter's name says (see common/reasonCodes.ts). */
export function sampleParam(name: string): string | number {
  if (name.endsWith('At')) return new Date(2026, 10, 24, 9, 5).toISOString();
  if (name.endsWith('Seconds')) return 5400;
  if (name.endsWith('C')) return 84.6;
  if (name.endsWith('Usd')) return 0.9;
  if (name.endsWith('Count')) return 3;
  return `<${name}>`;
}

/** Every known code with sample parameters. */
export function sampleReasons(): Array<Reason & { code: ReasonCode }> {
  return (Object.keys(REASON_PARAMS) as ReasonCode[]).map((code) => ({
    code,
    params: Object.fromEntries(REASON_PARAMS[code].map((name) => [name, sampleParam(name)])),
  }));
}
