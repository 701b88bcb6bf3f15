import { useState, type JSX } from 'react';
import type { CompareInput, CompareRow, RouteView } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { useAction } from '../../../hooks/useAction';
import { admin, adminList } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { CompareForm } from './CompareForm';
import { CompareTable } from './CompareTable';

/** The same prompt on several routes, their cost and latency side by side. */
export function CompareCard({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const routes = useResource(() => adminList<RouteView>('/routes'), [orgId]);
  const action = useAction();
  const [rows, setRows] = useState<CompareRow[] | null>(null);
  const run = (input: CompareInput) =>
    void action.run(async () => {
      setRows(null);
      const answer = await admin<{ data: CompareRow[] }>('/compare', 'POST', input);
      setRows(answer.data);
    });
  return (
    <Card title={t('usage.compare.title')} testId="usage-compare">
      <p className="muted">{t('usage.compare.intro')}</p>
      <ResourceView
        {...routes}
        onRetry={() => void routes.reload()}
        empty={{
          when: (list) => list.length === 0,
          text: t('usage.compare.noRoutes'),
          testId: 'usage-compare-empty',
        }}
      >
        {(list) => <CompareForm orgId={orgId} routes={list} action={action} onSubmit={run} />}
      </ResourceView>
      {rows && <CompareTable rows={rows} />}
    </Card>
  );
}
