import type { JSX } from 'react';
import { NavList } from '../../components/NavList';
import { useT } from '../i18n/i18n';
import { CONSOLE_SCREENS, OPERATOR_SCREENS, useConsoleNav } from '../stores/consoleNav';
import { useSession } from '../stores/sessionStore';

/** The console's left navigation, in the dashboard's look; org admins do not see operator screens. */
export function ConsoleNav(): JSX.Element {
  const { t } = useT();
  const screen = useConsoleNav((state) => state.screen);
  const go = useConsoleNav((state) => state.go);
  const isOperator = useSession((state) => state.identity?.kind === 'operator');
  const screens = isOperator
    ? CONSOLE_SCREENS
    : CONSOLE_SCREENS.filter((id) => !OPERATOR_SCREENS.has(id));
  return (
    <NavList
      screens={screens}
      current={screen}
      go={go}
      label={t('nav.label')}
      labelOf={(id) => t(`nav.${id}`)}
    />
  );
}
