import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateSettings } from '../../../../common/settings';
import { Card } from '../../components/Card';
import { TextField } from '../../components/Fields';
import { SubmitRow } from '../../components/SubmitRow';
import { useAction } from '../../hooks/useAction';
import { useUpdateStatus } from '../../hooks/useUpdateStatus';
import { updateSettings } from '../../stores/actions';

/** The feed the app updates from (empty: no updates), and where the last check stands. */
export function UpdatesForm({ updates }: { updates: UpdateSettings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const { status } = useUpdateStatus();
  const [feedURL, setFeedURL] = useState(updates.feedURL ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = feedURL.trim();
    void action.run(() =>
      updateSettings({ updates: { feedURL: trimmed === '' ? null : trimmed } }),
    );
  };
  return (
    <Card title={t('settings.updates')} testId="updates">
      <form className="form" onSubmit={submit} data-testid="updates-form">
        <TextField
          label={t('settings.feedURL')}
          type="url"
          value={feedURL}
          onChange={setFeedURL}
          placeholder="https://updates.example.com/byoi/"
          help={t('settings.feedURLHelp')}
          testId="update-feed-url"
        />
        {status && (
          <p className="muted" data-testid="update-state">
            {t(`update.states.${status.state}`, {
              version: status.version ?? '',
              error: status.error ?? '',
            })}
          </p>
        )}
        <SubmitRow action={action} testId="updates" />
      </form>
    </Card>
  );
}
