/**
 * The console's own i18next instance (not the dashboard's), with en.json and fr.json. The
 * shared components read `common.*`, `errors.*` and `charts.*`, so both files have those.
 */
import { createInstance } from 'i18next';
import { useTranslation } from 'react-i18next';
import en from './en.json';
import fr from './fr.json';

export const CONSOLE_LANGUAGES = ['en', 'fr'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];

function firstLanguage(): ConsoleLanguage {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    const match = CONSOLE_LANGUAGES.find((language) => language === base);
    if (match) return match;
  }
  return 'en';
}

export const consoleI18n = createInstance();
void consoleI18n.init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: firstLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...CONSOLE_LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});

/** Dotted paths to the strings of en.json. */
type Paths<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Paths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
export type ConsoleKey = Paths<typeof en>;

export type ConsoleT = (key: ConsoleKey, options?: Record<string, unknown>) => string;

/**
 * `t` for console keys. The dashboard's i18next typing covers its own keys only, so the
 * console checks its keys against its own en.json here.
 */
export function useT(): { t: ConsoleT; language: string } {
  const { t, i18n } = useTranslation();
  return { t: t as unknown as ConsoleT, language: i18n.language };
}
