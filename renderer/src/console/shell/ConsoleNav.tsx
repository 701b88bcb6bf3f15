import type { JSX } from 'react';
import { NavList } from '../../components/NavList';
import { useT } from '../i18n/i18n';
import { CONSOLE_SCREENS, useConsoleNav } from '../stores/consoleNav';

/** The console's left navigation, in the dashboard's look. */
export function ConsoleNav(): JSX.Element {
  const { t } = useT();
  const screen = useConsoleNav((state) => state.screen);
  const go = useConsoleNav((state) => state.go);
  return (
    <NavList
      screens={CONSOLE_SCREENS}
      current={screen}
      go={go}
      label={t('nav.label')}
      labelOf={(id) => t(`nav.${id}`)}
    />
  );
}
