import { useState, type JSX } from 'react';
import type { ApiKeyInfo } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { CreateKeyForm } from './CreateKeyForm';
import { KeyRow } from './KeyRow';

/** The organization's API keys: create one (its secret shown once), list, revoke. */
export function KeysScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const keys = useResource(() => adminList<ApiKeyInfo>(`/keys${query({ orgId })}`), [orgId]);
  const [showRevoked, setShowRevoked] = useState(false);
  return (
    <>
      <ScreenTitle testId="keys-title">{t('keys.title')}</ScreenTitle>
      <CreateKeyForm orgId={orgId} onCreated={() => void keys.reload()} />
      <Card
        title={t('keys.list')}
        testId="keys-list"
        actions={
          <label className="row">
            <input
              type="checkbox"
              checked={showRevoked}
              onChange={(event) => setShowRevoked(event.target.checked)}
              data-testid="keys-show-revoked"
            />
            {t('keys.showRevoked')}
          </label>
        }
      >
        <ResourceView
          {...keys}
          onRetry={() => void keys.reload()}
          empty={{ when: (list) => list.length === 0, text: t('keys.empty'), testId: 'keys-empty' }}
        >
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('keys.name')}</th>
                    <th scope="col">{t('keys.id')}</th>
                    <th scope="col">{t('keys.rpm')}</th>
                    <th scope="col">{t('keys.created')}</th>
                    <th scope="col">{t('keys.state')}</th>
                    <th scope="col">
                      <span className="sr-only">{t('keys.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list
                    .filter((key) => showRevoked || key.revokedAt === null)
                    .map((key) => (
                      <KeyRow key={key.id} info={key} onChanged={() => void keys.reload()} />
                    ))}
                </tbody>
              </table>
            </div>
          )}
        </ResourceView>
      </Card>
    </>
  );
}
