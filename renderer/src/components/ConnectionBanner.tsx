import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection } from '../stores/connectionStore';

/** Says so when the dashboard has lost the engine, or was refused. */
export function ConnectionBanner(): JSX.Element | null {
  const { t } = useTranslation();
  const state = useConnection((store) => store.state);
  if (state === 'open' || state === 'connecting') return null;
  return (
    <div
      className={`banner ${state === 'reconnecting' ? 'warn' : 'bad'}`}
      role="alert"
      data-testid="connection-banner"
    >
      {t(`connection.${state}`)}
    </div>
  );
}
