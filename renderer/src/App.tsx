import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ConnectionBanner } from './components/ConnectionBanner';
import { ErrorMessage } from './components/ErrorMessage';
import { Loading } from './components/AsyncStates';
import { Layout } from './Layout';
import { useAppearance } from './hooks/useAppearance';
import { Onboarding } from './screens/onboarding/Onboarding';
import { useSettings } from './stores/engineStores';

/** The dashboard: onboarding until it is done, then the screens. */
export function App({ connected }: { connected: boolean }): JSX.Element {
  const { t } = useTranslation();
  const settings = useSettings();
  useAppearance(settings.data?.ui);
  if (!connected) return <NoAccess />;
  if (!settings.data) {
    return (
      <main className="center" data-testid="app-starting">
        <h1 className="brand-title" data-testid="app-title">
          {t('app.name')}
        </h1>
        <ConnectionBanner />
        {settings.error ? (
          <ErrorMessage error={settings.error} onRetry={() => void settings.load()} />
        ) : (
          <Loading />
        )}
      </main>
    );
  }
  return settings.data.onboarded ? <Layout /> : <Onboarding />;
}

/** Opened in a browser without the token (and not in the app). */
function NoAccess(): JSX.Element {
  const { t } = useTranslation();
  return (
    <main className="center" data-testid="no-access">
      <h1 className="brand-title" data-testid="app-title">
        {t('app.name')}
      </h1>
      <p>{t('app.noToken')}</p>
      <p className="muted">{t('app.noTokenHelp')}</p>
    </main>
  );
}
