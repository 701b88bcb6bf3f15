import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { SCREENS, useNav } from '../stores/navStore';
import { NavList } from './NavList';

/** The dashboard's left navigation. */
export function Nav(): JSX.Element {
  const { t } = useTranslation();
  const screen = useNav((state) => state.screen);
  const go = useNav((state) => state.go);
  return (
    <NavList
      screens={SCREENS}
      current={screen}
      go={go}
      label={t('nav.label')}
      labelOf={(id) => t(`nav.${id}`)}
    />
  );
}
