import type { JSX } from 'react';
import { CONSOLE_LANGUAGES, type ConsoleLanguage, useT } from '../i18n/i18n';
import { consoleI18n } from '../i18n/i18n';
import { useConsoleNav, type ThemeChoice } from '../stores/consoleNav';

const THEMES: ThemeChoice[] = ['system', 'light', 'dark'];

/** The theme and language pickers. */
export function Preferences(): JSX.Element {
  const { t, language } = useT();
  const theme = useConsoleNav((state) => state.theme);
  const setTheme = useConsoleNav((state) => state.setTheme);
  return (
    <div className="row">
      <label className="row">
        <span>{t('prefs.theme')}</span>
        <select
          value={theme}
          onChange={(event) => setTheme(event.target.value as ThemeChoice)}
          data-testid="console-theme"
        >
          {THEMES.map((value) => (
            <option key={value} value={value}>
              {t(`prefs.themes.${value}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="row">
        <span>{t('prefs.language')}</span>
        <select
          value={language}
          onChange={(event) =>
            void consoleI18n.changeLanguage(event.target.value as ConsoleLanguage)
          }
          data-testid="console-language"
        >
          {CONSOLE_LANGUAGES.map((value) => (
            <option key={value} value={value}>
              {t(`prefs.languages.${value}`)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
