import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useSettings } from '../../stores/engineStores';
import { About } from './About';
import { AppearanceForm } from './AppearanceForm';
import { BehaviourForm } from './BehaviourForm';
import { LogsViewer } from './LogsViewer';
import { UpdatesForm } from './UpdatesForm';

/** Theme and language, start at login, prompt logging, the update feed, logs, and about. */
export function SettingsScreen(): JSX.Element {
  const { t } = useTranslation();
  const settings = useSettings();
  return (
    <>
      <ScreenTitle>{t('settings.title')}</ScreenTitle>
      <ResourceView {...settings} onRetry={() => void settings.load()}>
        {(data) => (
          <>
            <AppearanceForm ui={data.ui} />
            <BehaviourForm settings={data} />
            <UpdatesForm updates={data.updates} />
          </>
        )}
      </ResourceView>
      <LogsViewer />
      <About />
    </>
  );
}
