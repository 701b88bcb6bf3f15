import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { SCREENS, useNav } from '../stores/navStore';

/** The left navigation: buttons, so it works with the keyboard like anything else. */
export function Nav(): JSX.Element {
  const { t } = useTranslation();
  const screen = useNav((state) => state.screen);
  const go = useNav((state) => state.go);
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <ul>
        {SCREENS.map((id) => (
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
