import { useState, type JSX } from 'react';
import type { ProviderView, RouteView } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../stores/sessionStore';
import { ProviderForm } from './ProviderForm';
import { ProviderRow } from './ProviderRow';

/**
 * The network's upstream providers, with each key's health and the route's breaker. Only the
 * operator may change them; an org admin sees them read-only, with a note saying why.
 */
export function ProvidersScreen(_props: { orgId: string }): JSX.Element {
  const { t } = useT();
  const operator = useSession((state) => state.identity?.kind === 'operator');
  const providers = useResource(() => adminList<ProviderView>('/providers'), []);
  const routes = useResource(() => adminList<RouteView>('/routes'), []);
  const [editing, setEditing] = useState<ProviderView | null>(null);
  const reload = () => {
    void providers.reload();
    void routes.reload();
  };
  const routeOf = (name: string) =>
    routes.data?.find((route) => route.kind === 'upstream' && route.id === name);
  return (
    <>
      <ScreenTitle testId="providers-title">{t('providers.title')}</ScreenTitle>
      <p className="muted">{t('providers.intro')}</p>
      {operator ? (
        <ProviderForm
          key={editing?.name ?? '+'}
          existing={editing}
          onSaved={reload}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <p className="banner" role="note" data-testid="providers-operator-only">
          {t('providers.operatorOnly')}
        </p>
      )}
      <Card
        title={t('providers.list')}
        testId="providers-list"
        actions={
          <button type="button" onClick={reload} data-testid="providers-refresh">
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView
          {...providers}
          onRetry={reload}
          empty={{
            when: (list) => list.length === 0,
            text: operator ? t('providers.empty') : t('providers.emptyOrg'),
            testId: 'providers-empty',
          }}
        >
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('providers.colName')}</th>
                    <th scope="col">{t('providers.colModels')}</th>
                    <th scope="col">{t('providers.colPrice')}</th>
                    <th scope="col">{t('providers.colKeys')}</th>
                    <th scope="col">{t('providers.colState')}</th>
                    {operator && (
                      <th scope="col">
                        <span className="sr-only">{t('providers.colActions')}</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {list.map((provider) => (
                    <ProviderRow
                      key={provider.name}
                      provider={provider}
                      route={routeOf(provider.name)}
                      canChange={operator}
                      onEdit={() => setEditing(provider)}
                      onChanged={() => {
                        if (editing?.name === provider.name) setEditing(null);
                        reload();
                      }}
                    />
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
