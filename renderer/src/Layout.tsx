import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Nav } from './components/Nav';
import { UpdateBanner } from './components/UpdateBanner';
import { Earnings } from './screens/earnings/Earnings';
import { Models } from './screens/models/Models';
import { Overview } from './screens/overview/Overview';
import { Pricing } from './screens/pricing/Pricing';
import { Requests } from './screens/requests/Requests';
import { Schedule } from './screens/schedule/Schedule';
import { SettingsScreen } from './screens/settings/SettingsScreen';
import { useStatus } from './stores/engineStores';
import { useNav, type Screen } from './stores/navStore';

const screens: Record<Screen, () => JSX.Element> = {
  overview: Overview,
  schedule: Schedule,
  pricing: Pricing,
  earnings: Earnings,
  requests: Requests,
  models: Models,
  settings: SettingsScreen,
};

/** The left navigation and the current screen. */
export function Layout(): JSX.Element {
  const { t } = useTranslation();
  const screen = useNav((state) => state.screen);
  const warning = useStatus((state) => state.data?.settingsWarning ?? null);
  const Current = screens[screen];
  return (
    <div className="layout">
      <aside className="sidebar">
        <div className="brand" data-testid="app-title">
          {t('app.name')}
        </div>
        <Nav />
      </aside>
      <main className="content" data-testid={`screen-${screen}`}>
        <ConnectionBanner />
        <UpdateBanner />
        {warning && (
          <div className="banner warn" role="alert" data-testid="settings-warning">
            {t('app.settingsWarning', { warning })}
          </div>
        )}
        <Current key={screen} />
      </main>
    </div>
  );
}
