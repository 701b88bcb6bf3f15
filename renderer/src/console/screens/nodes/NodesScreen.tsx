import type { JSX } from 'react';
import type { NodeView } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { EnrollForm } from './EnrollForm';
import { NodeRow } from './NodeRow';

/** How often the fleet view refreshes itself, so a node just enrolled shows up online. */
const FLEET_REFRESH_MS = 3000;

/** The organization's fleet: enroll a node, see each one live, revoke or clear faults. */
export function NodesScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const fleet = useResource(
    () => adminList<NodeView>(`/fleet${query({ orgId })}`),
    [orgId],
    FLEET_REFRESH_MS,
  );
  return (
    <>
      <ScreenTitle testId="nodes-title">{t('nodes.title')}</ScreenTitle>
      <EnrollForm orgId={orgId} />
      <Card
        title={t('nodes.fleet')}
        testId="nodes-fleet"
        actions={
          <button
            type="button"
            onClick={() => void fleet.reload()}
            disabled={fleet.loading}
            data-testid="nodes-refresh"
          >
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView
          {...fleet}
          onRetry={() => void fleet.reload()}
          empty={{
            when: (list) => list.length === 0,
            text: t('nodes.empty'),
            testId: 'nodes-empty',
          }}
        >
          {(list) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('nodes.name')}</th>
                    <th scope="col">{t('nodes.state')}</th>
                    <th scope="col">{t('nodes.models')}</th>
                    <th scope="col">{t('nodes.speed')}</th>
                    <th scope="col">{t('nodes.slots')}</th>
                    <th scope="col">{t('nodes.reliability')}</th>
                    <th scope="col">{t('nodes.earned')}</th>
                    <th scope="col">
                      <span className="sr-only">{t('keys.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((node) => (
                    <NodeRow key={node.id} node={node} onChanged={() => void fleet.reload()} />
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
