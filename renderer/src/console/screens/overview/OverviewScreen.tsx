import type { JSX } from 'react';
import type { DailyUsageRow, NodeView, RouteView } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { DailyCharts } from './DailyCharts';
import { GettingStarted } from './GettingStarted';
import { NodesOnline } from './NodesOnline';
import { RoutesHealth } from './RoutesHealth';
import { TodayTiles } from './TodayTiles';

/** The organization at a glance: today's figures, the last 7 or 30 days, routes and nodes. */
export function OverviewScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const daily = useResource(
    () => adminList<DailyUsageRow>(`/usage/daily${query({ orgId, days: 30 })}`),
    [orgId],
  );
  const routes = useResource(() => adminList<RouteView>('/routes'), [orgId]);
  const fleet = useResource(() => adminList<NodeView>(`/fleet${query({ orgId })}`), [orgId]);
  const reload = () => {
    void daily.reload();
    void routes.reload();
    void fleet.reload();
  };
  const quiet = daily.data !== null && daily.data.every((day) => day.requests === 0);
  return (
    <>
      <ScreenTitle testId="overview-title">{t('overview.title')}</ScreenTitle>
      <Card
        title={t('overview.today')}
        testId="overview-usage"
        actions={
          <button type="button" onClick={reload} data-testid="overview-refresh">
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView {...daily} onRetry={() => void daily.reload()}>
          {(days) => (
            <>
              <TodayTiles today={days.at(-1)} />
              {!quiet && <DailyCharts days={days} />}
            </>
          )}
        </ResourceView>
      </Card>
      {quiet && routes.data && <GettingStarted hasRoutes={routes.data.length > 0} />}
      <Card title={t('overview.routes')} testId="overview-routes">
        <ResourceView
          {...routes}
          onRetry={() => void routes.reload()}
          empty={{
            when: (list) => list.length === 0,
            text: t('overview.noRoutes'),
            testId: 'overview-routes-empty',
          }}
        >
          {(list) => <RoutesHealth routes={list} />}
        </ResourceView>
      </Card>
      <Card title={t('overview.nodes')} testId="overview-nodes">
        <ResourceView
          {...fleet}
          onRetry={() => void fleet.reload()}
          empty={{
            when: (list) => list.length === 0,
            text: t('overview.noNodes'),
            testId: 'overview-nodes-empty',
          }}
        >
          {(list) => <NodesOnline nodes={list} />}
        </ResourceView>
      </Card>
    </>
  );
}
