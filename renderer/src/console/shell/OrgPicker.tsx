import { useEffect, useState, type JSX } from 'react';
import type { Org } from '../../../../common/adminRecords';
import { Card } from '../../components/Card';
import { ErrorMessage } from '../../components/ErrorMessage';
import { TextField } from '../../components/Fields';
import { SubmitRow } from '../../components/SubmitRow';
import { useAction } from '../../hooks/useAction';
import { admin, adminList } from '../api/consoleApi';
import { useResource } from '../hooks/useResource';
import { useT } from '../i18n/i18n';
import { useSession } from '../stores/sessionStore';

/** The operator's organization picker, with a form to create one. */
export function OrgPicker(): JSX.Element {
  const { t } = useT();
  const orgId = useSession((state) => state.orgId);
  const pickOrg = useSession((state) => state.pickOrg);
  const orgsVersion = useSession((state) => state.orgsVersion);
  const orgsChanged = useSession((state) => state.orgsChanged);
  const orgs = useResource(() => adminList<Org>('/orgs'), [orgsVersion]);
  const [name, setName] = useState('');
  const create = useAction();
  useEffect(() => {
    const first = orgs.data?.[0];
    if (orgId === null && first) pickOrg(first.id);
  }, [orgs.data, orgId, pickOrg]);
  return (
    <Card title={t('orgs.title')} testId="org-picker">
      {orgs.error && <ErrorMessage error={orgs.error} onRetry={() => void orgs.reload()} />}
      <div className="form inline">
        <label className="field">
          <span>{t('orgs.pick')}</span>
          <select
            value={orgId ?? ''}
            onChange={(event) => pickOrg(event.target.value || null)}
            disabled={!orgs.data?.length}
            data-testid="org-picker-select"
          >
            {!orgs.data?.length && <option value="">{t('orgs.none')}</option>}
            {orgs.data?.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
        </label>
        <form
          className="form inline"
          onSubmit={(event) => {
            event.preventDefault();
            void create.run(async () => {
              const org = await admin<Org>('/orgs', 'POST', { name: name.trim() });
              setName('');
              orgsChanged();
              pickOrg(org.id);
            });
          }}
        >
          <TextField
            label={t('orgs.newName')}
            value={name}
            onChange={setName}
            testId="org-create-name"
          />
          <SubmitRow
            action={create}
            testId="org-create"
            label={t('orgs.create')}
            doneText={t('orgs.created')}
            disabled={name.trim() === ''}
          />
        </form>
      </div>
    </Card>
  );
}
