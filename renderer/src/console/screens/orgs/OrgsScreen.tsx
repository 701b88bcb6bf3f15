import { useState, type JSX } from 'react';
import type { Balances, Org } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { admin, adminList } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../stores/sessionStore';
import { AdminKeysCard } from './AdminKeysCard';
import { CreateOrgForm } from './CreateOrgForm';
import { OrgList, type OrgWithBalance } from './OrgList';

async function loadOrgs(): Promise<OrgWithBalance[]> {
  const orgs = await adminList<Org>('/orgs');
  return Promise.all(
    orgs.map(async (org) => ({
      org,
      balance: await admin<Balances>(`/orgs/${encodeURIComponent(org.id)}/balance`),
    })),
  );
}

/**
 * The operator's view of every organization: balances, a form to create one, and the org
 * admin keys of the one managed here (the picked org at first).
 */
export function OrgsScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const orgsVersion = useSession((state) => state.orgsVersion);
  const orgsChanged = useSession((state) => state.orgsChanged);
  const orgs = useResource(loadOrgs, [orgsVersion]);
  const [selected, setSelected] = useState<string>(orgId);
  const shown = orgs.data?.find((entry) => entry.org.id === selected)?.org ?? null;
  return (
    <>
      <ScreenTitle testId="organizations-title">{t('organizations.title')}</ScreenTitle>
      <CreateOrgForm
        onCreated={(org) => {
          setSelected(org.id);
          orgsChanged();
        }}
      />
      <Card
        title={t('organizations.list')}
        testId="organizations-list"
        actions={
          <button
            type="button"
            onClick={() => void orgs.reload()}
            data-testid="organizations-refresh"
          >
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView
          {...orgs}
          onRetry={() => void orgs.reload()}
          empty={{
            when: (list) => list.length === 0,
            text: t('organizations.empty'),
            testId: 'organizations-empty',
          }}
        >
          {(list) => <OrgList orgs={list} selected={selected} onSelect={setSelected} />}
        </ResourceView>
      </Card>
      {shown && <AdminKeysCard key={shown.id} org={shown} />}
    </>
  );
}
