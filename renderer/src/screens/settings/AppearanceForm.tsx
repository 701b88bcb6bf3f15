import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { UiSettings } from '../../../../common/settings';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { SelectField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';

/** Theme and language, saved in the engine's settings (the dashboard keeps nothing). */
export function AppearanceForm({ ui }: { ui: UiSettings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const save = (patch: Partial<UiSettings>) => void action.run(() => updateSettings({ ui: patch }));
  return (
    <Card title={t('settings.appearance')} testId="appearance">
      <div className="form inline">
        <SelectField
          label={t('settings.theme')}
          value={ui.theme}
          options={[
            { value: 'system', label: t('settings.themes.system') },
            { value: 'light', label: t('settings.themes.light') },
            { value: 'dark', label: t('settings.themes.dark') },
          ]}
          onChange={(theme) => save({ theme })}
          disabled={action.pending}
          testId="theme-select"
        />
        <SelectField
          label={t('settings.language')}
          value={ui.language}
          options={[
            { value: 'system', label: t('settings.languages.system') },
            { value: 'en', label: t('settings.languages.en') },
            { value: 'fr', label: t('settings.languages.fr') },
          ]}
          onChange={(language) => save({ language })}
          disabled={action.pending}
          testId="language-select"
        />
      </div>
      <ActionStatus action={action} testId="appearance" />
    </Card>
  );
}
