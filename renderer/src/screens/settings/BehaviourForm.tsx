import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings, SettingsPatch } from '../../../../common/settings';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { CheckField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { useConnection } from '../../stores/connectionStore';

/** Start at login, prompt logging (with its warning), and running the setup again. */
export function BehaviourForm({ settings }: { settings: Settings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const inApp = useConnection((state) => state.transport === 'ipc');
  const save = (patch: SettingsPatch) => void action.run(() => updateSettings(patch));
  return (
    <Card title={t('settings.behaviour')} testId="behaviour">
      <CheckField
        label={t('settings.startAtLogin')}
        checked={settings.startAtLogin}
        onChange={(startAtLogin) => save({ startAtLogin })}
        disabled={action.pending}
        help={inApp ? t('settings.startAtLoginHelp') : t('settings.startAtLoginHeadless')}
        testId="start-at-login"
      />
      <CheckField
        label={t('settings.logPrompts')}
        checked={settings.logPrompts}
        onChange={(logPrompts) => save({ logPrompts })}
        disabled={action.pending}
        testId="log-prompts"
      />
      <p
        className={settings.logPrompts ? 'banner warn' : 'help'}
        role={settings.logPrompts ? 'alert' : undefined}
        data-testid="log-prompts-warning"
      >
        {t('settings.logPromptsWarning')}
      </p>
      <div className="row">
        <button
          type="button"
          onClick={() => save({ onboarded: false })}
          disabled={action.pending}
          data-testid="rerun-setup"
        >
          {t('settings.rerunSetup')}
        </button>
        <ActionStatus action={action} testId="behaviour" />
      </div>
    </Card>
  );
}
