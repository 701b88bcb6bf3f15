import { useState, type JSX } from 'react';
import type { Org, OrgAdminKeyInfo } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { admin, adminList, query } from '../../api/consoleApi';
import { SecretBox } from '../../components/CopyButton';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { AdminKeyRow } from './AdminKeyRow';

/** The keys that let one organization's admins run it: create (secret shown once), revoke. */
export function AdminKeysCard({ org }: { org: Org }): JSX.Element {
  const { t } = useT();
  const keys = useResource(
    () => adminList<OrgAdminKeyInfo>(`/admin-keys${query({ orgId: org.id })}`),
    [org.id],
  );
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useAction();
  const [showRevoked, setShowRevoked] = useState(false);
  return (
    <Card
      title={t('organizations.keysTitle', { name: org.name })}
      testId="organizations-keys"
      actions={
        <label className="row">
          <input
            type="checkbox"
            checked={showRevoked}
            onChange={(event) => setShowRevoked(event.target.checked)}
            data-testid="organizations-keys-show-revoked"
          />
          {t('organizations.showRevoked')}
        </label>
      }
    >
      <p className="help">{t('organizations.keysHelp')}</p>
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setSecret(null);
          void create.run(async () => {
            const created = await admin<{ key: string; info: OrgAdminKeyInfo }>(
              `/orgs/${encodeURIComponent(org.id)}/admin-keys`,
              'POST',
              { name: name.trim() },
            );
            setSecret(created.key);
            setName('');
            await keys.reload();
          });
        }}
      >
        <div className="form inline">
          <TextField
            label={t('organizations.keyName')}
            value={name}
            onChange={setName}
            placeholder={t('organizations.keyNamePlaceholder')}
            testId="organizations-key-name"
          />
        </div>
        <SubmitRow
          action={create}
          testId="organizations-key-create"
          label={t('organizations.keyCreate')}
          doneText={t('organizations.keyCreated')}
        />
      </form>
      {secret && (
        <SecretBox
          label={t('organizations.secret')}
          text={secret}
          testId="organizations-key-secret"
          help={t('organizations.secretHelp')}
        />
      )}
      <ResourceView
        {...keys}
        onRetry={() => void keys.reload()}
        empty={{
          when: (list) => !list.some((key) => showRevoked || key.revokedAt === null),
          text: t('organizations.keysEmpty'),
          testId: 'organizations-keys-empty',
        }}
      >
        {(list) => (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('organizations.keyName')}</th>
                  <th scope="col">{t('organizations.keyId')}</th>
                  <th scope="col">{t('organizations.createdAt')}</th>
                  <th scope="col">{t('organizations.lastUsed')}</th>
                  <th scope="col">{t('organizations.state')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('organizations.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list
                  .filter((key) => showRevoked || key.revokedAt === null)
                  .map((key) => (
                    <AdminKeyRow key={key.id} info={key} onChanged={() => void keys.reload()} />
                  ))}
              </tbody>
            </table>
          </div>
        )}
      </ResourceView>
    </Card>
  );
}
