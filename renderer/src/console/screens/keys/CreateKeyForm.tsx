import { useState, type JSX } from 'react';
import type { ApiKeyInfo } from '../../../../../common/adminRecords';
import { Card } from '../../../components/Card';
import { NumberField, parseNumber, TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { admin } from '../../api/consoleApi';
import { SecretBox } from '../../components/CopyButton';
import { useT } from '../../i18n/i18n';

/** Creates an API key and shows its secret once. */
export function CreateKeyForm(props: { orgId: string; onCreated: () => void }): JSX.Element {
  const { t } = useT();
  const [name, setName] = useState('');
  const [rpm, setRpm] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  return (
    <Card title={t('keys.create')} testId="keys-create">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const rate = parseNumber(rpm);
          if (rpm.trim() !== '' && (rate === null || rate < 1 || !Number.isInteger(rate))) {
            action.fail(localError(t('keys.badRpm')));
            return;
          }
          setSecret(null);
          void action.run(async () => {
            const created = await admin<{ key: string; info: ApiKeyInfo }>(
              `/orgs/${encodeURIComponent(props.orgId)}/keys`,
              'POST',
              { name: name.trim(), rateLimitPerMinute: rate },
            );
            setSecret(created.key);
            setName('');
            setRpm('');
            props.onCreated();
          });
        }}
      >
        <div className="form inline">
          <TextField
            label={t('keys.name')}
            value={name}
            onChange={setName}
            testId="keys-create-name"
          />
          <NumberField
            label={t('keys.rpm')}
            value={rpm}
            onChange={setRpm}
            min={1}
            step={1}
            help={t('keys.rpmHelp')}
            testId="keys-create-rpm"
          />
        </div>
        <SubmitRow
          action={action}
          testId="keys-create"
          label={t('keys.createSubmit')}
          doneText={t('keys.createdDone')}
        />
      </form>
      {secret && (
        <SecretBox
          label={t('keys.secret')}
          text={secret}
          testId="keys-secret"
          help={t('keys.secretHelp')}
        />
      )}
    </Card>
  );
}
