import type { JSX } from 'react';
import type { NodeView } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

/** The organization's nodes that are online now, with their models and speed. */
export function NodesOnline({ nodes }: { nodes: NodeView[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const online = nodes.filter((node) => node.online);
  return (
    <>
      <p data-testid="overview-nodes-count">
        {t('overview.nodesCount', { online: online.length, total: nodes.length })}
      </p>
      {online.length > 0 && (
        <ul className="list">
          {online.map((node) => (
            <li key={node.id} className="list-row" data-testid="overview-node">
              <span>
                <strong>{node.name || node.id}</strong>{' '}
                <span className={`badge ${node.paused ? 'paused' : 'ok'}`}>
                  {node.paused ? t('overview.nodePaused') : t('overview.nodeOnline')}
                </span>
              </span>
              <span className="muted small mono">{node.models.join(', ')}</span>
              <span className="muted small">
                {node.tokensPerSecond === null
                  ? t('common.none')
                  : t('overview.tokensPerSecond', { value: format.number(node.tokensPerSecond) })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
