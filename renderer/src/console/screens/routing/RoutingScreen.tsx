import { useState, type JSX } from 'react';
import type { ProviderView, RouteView, RoutingRule } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { useSession } from '../../stores/sessionStore';
import type { RouteChoice } from './RouteListEditor';
import { RuleEditor } from './RuleEditor';
import { RuleTable } from './RuleRow';

const NODE_ROUTES = ['own-nodes', 'nodes'];

/** Every route a rule may name: the providers, live or not, then the node groups. */
function routeChoices(providers: ProviderView[], routes: RouteView[]): RouteChoice[] {
  const live = new Set(routes.filter((r) => r.kind === 'upstream').map((r) => r.id));
  const names = [...new Set([...providers.map((p) => p.name), ...live])].sort();
  return [
    ...names.map((name) => ({ name, live: live.has(name) })),
    ...NODE_ROUTES.map((name) => ({ name, live: true })),
  ];
}

/**
 * The organization's routing rules: which routes serve each model (or every other model), in
 * what order and under what price, with the network-wide rules beside them, read-only.
 */
export function RoutingScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const operator = useSession((state) => state.identity?.kind === 'operator');
  const rules = useResource(async () => {
    const own = await adminList<RoutingRule>(`/routing-rules${query({ orgId })}`);
    // The operator's listing is per org; an org admin's already holds the `*` rules.
    const network = operator
      ? await adminList<RoutingRule>(`/routing-rules${query({ orgId: '*' })}`)
      : [];
    return [...own, ...network];
  }, [orgId, operator]);
  const choices = useResource(async () => {
    const [providers, routes] = await Promise.all([
      adminList<ProviderView>('/providers'),
      adminList<RouteView>('/routes'),
    ]);
    return routeChoices(providers, routes);
  }, []);
  const [editing, setEditing] = useState<RoutingRule | null>(null);
  const own = (rules.data ?? []).filter((rule) => rule.orgId === orgId);
  const network = (rules.data ?? []).filter((rule) => rule.orgId === '*');
  return (
    <>
      <ScreenTitle testId="routing-title">{t('routing.title')}</ScreenTitle>
      <p className="muted">{t('routing.intro')}</p>
      <RuleEditor
        key={editing ? editing.model : '+'}
        orgId={orgId}
        existing={editing}
        choices={choices.data ?? NODE_ROUTES.map((name) => ({ name, live: true }))}
        onSaved={() => void rules.reload()}
        onNew={() => setEditing(null)}
      />
      <Card
        title={t('routing.rules')}
        testId="routing-rules"
        actions={
          <button type="button" onClick={() => void rules.reload()} data-testid="routing-refresh">
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView
          {...rules}
          onRetry={() => void rules.reload()}
          empty={{
            when: () => own.length === 0,
            text: t('routing.empty'),
            testId: 'routing-empty',
          }}
        >
          {() => (
            <RuleTable
              rules={own}
              onEdit={setEditing}
              onRemoved={() => {
                setEditing(null);
                void rules.reload();
              }}
            />
          )}
        </ResourceView>
      </Card>
      {network.length > 0 && (
        <Card title={t('routing.network')} testId="routing-network">
          <p className="muted small">{t('routing.networkHelp')}</p>
          <RuleTable rules={network} onEdit={null} onRemoved={() => void rules.reload()} />
        </Card>
      )}
    </>
  );
}
