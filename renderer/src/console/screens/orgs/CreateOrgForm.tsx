import { useState, type JSX } from 'react';
import type { Org } from '../../../../../common/adminRecords';
import { Card } from '../../../components/Card';
import { TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { admin } from '../../api/consoleApi';
import { useT } from '../../i18n/i18n';

/** Creates an organization. */
export function CreateOrgForm({ onCreated }: { onCreated: (org: Org) => void }): JSX.Element {
  const { t } = useT();
  const [name, setName] = useState('');
  const action = useAction();
  return (
    <Card title={t('organizations.create')} testId="organizations-create">
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() === '') {
            action.fail(localError(t('organizations.badName')));
            return;
          }
          void action.run(async () => {
            const org = await admin<Org>('/orgs', 'POST', { name: name.trim() });
            setName('');
            onCreated(org);
          });
        }}
      >
        <div className="form inline">
          <TextField
            label={t('organizations.name')}
            value={name}
            onChange={setName}
            testId="organizations-create-name"
          />
        </div>
        <SubmitRow
          action={action}
          testId="organizations-create"
          label={t('organizations.createSubmit')}
          doneText={t('organizations.created')}
        />
      </form>
    </Card>
  );
}
