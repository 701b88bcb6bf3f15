import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useSettings } from '../../stores/engineStores';
import { DecisionsList } from './DecisionsList';
import { ModeSwitch } from './ModeSwitch';
import { RulesForm } from './RulesForm';
import { WindowsEditor } from './WindowsEditor';

/** When the machine serves: mode, pauses, rules, weekly windows, and recent decisions. */
export function Schedule(): JSX.Element {
  const { t } = useTranslation();
  const settings = useSettings();
  return (
    <>
      <ScreenTitle>{t('schedule.title')}</ScreenTitle>
      <ResourceView {...settings} onRetry={() => void settings.load()}>
        {(data) => (
          <>
            <ModeSwitch schedule={data.schedule} />
            <RulesForm schedule={data.schedule} />
            <WindowsEditor windows={data.schedule.windows} mode={data.schedule.mode} />
          </>
        )}
      </ResourceView>
      <DecisionsList />
    </>
  );
}
