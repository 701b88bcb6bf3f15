import type { JSX } from 'react';
import { useT } from '../i18n/i18n';
import { CONSOLE_SCREENS, useConsoleNav } from '../stores/consoleNav';

/** The console's left navigation (the dashboard's look): buttons, keyboard first. */
export function ConsoleNav(): JSX.Element {
  const { t } = useT();
  const screen = useConsoleNav((state) => state.screen);
  const go = useConsoleNav((state) => state.go);
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <ul>
        {CONSOLE_SCREENS.map((id) => (
          <li key={id}>
            <button
              type="button"
              className="nav-item"
              aria-current={screen === id ? 'page' : undefined}
              onClick={() => go(id)}
              data-testid={`nav-${id}`}
            >
              {t(`nav.${id}`)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
