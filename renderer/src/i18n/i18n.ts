/**
 * i18next with the strings bundled from en.json and fr.json (every visible string lives
 * there; tests/browser/i18nKeys.test.ts checks both have the same keys).
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { UiSettings } from '../../../common/settings';
import en from './en.json';
import fr from './fr.json';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}

/** The language to show: the setting, or the first of the OS's languages we have. */
export function resolveLanguage(
  setting: UiSettings['language'],
  preferred: readonly string[],
): Language {
  if (setting !== 'system') return setting;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    const match = LANGUAGES.find((language) => language === base);
    if (match) return match;
  }
  return 'en';
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: resolveLanguage('system', navigator.languages ?? [navigator.language]),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});

export { i18next };
