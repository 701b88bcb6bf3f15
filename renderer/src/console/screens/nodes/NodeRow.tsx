import type { JSX } from 'react';
import type { NodeView } from '../../../../../common/adminRecords';
import { ActionStatus } from '../../../components/ActionStatus';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { admin } from '../../api/consoleApi';
import { useT, type ConsoleKey } from '../../i18n/i18n';

function stateOf(node: NodeView): { key: ConsoleKey; badge: string } {
  if (node.revokedAt) return { key: 'nodes.revoked', badge: 'paused' };
  if (node.quarantinedAt) return { key: 'nodes.quarantined', badge: 'problem' };
  if (!node.online) return { key: 'nodes.offline', badge: 'link-offline' };
  if (node.paused) return { key: 'nodes.paused', badge: 'waiting' };
  return { key: 'nodes.online', badge: 'ok' };
}

/** One node of the fleet, with revoke and clear-faults. */
export function NodeRow({ node, onChanged }: { node: NodeView; onChanged: () => void }) {
  const { t } = useT();
  const format = useFormat();
  const action = useAction();
  const state = stateOf(node);
  const faults = node.faults.reduce((sum, fault) => sum + fault.count, 0);
  const call = (path: string, method: string) =>
    void action.run(async () => {
      await admin(`/nodes/${encodeURIComponent(node.id)}${path}`, method);
      onChanged();
    });
  return (
    <tr data-testid={`node-row-${node.id}`}>
      <td>
        <div>{node.name || node.id}</div>
        <div className="muted small mono">{node.id}</div>
      </td>
      <td>
        <span className={`badge ${state.badge}`} data-testid={`node-state-${node.id}`}>
          {t(state.key)}
        </span>
        {node.paused && node.pausedReason && <div className="muted small">{node.pausedReason}</div>}
        {faults > 0 && (
          <div className="warn-text small">{t('nodes.faults_other', { count: faults })}</div>
        )}
      </td>
      <td>{node.models.length ? node.models.join(', ') : t('common.none')}</td>
      <td>
        {node.tokensPerSecond === null
          ? t('common.none')
          : t('nodes.tokensPerSecond', { value: format.number(node.tokensPerSecond) })}
      </td>
      <td>{node.slots ? `${node.slots.busy} / ${node.slots.total}` : t('common.none')}</td>
      <td>
        {node.reliability === null ? t('common.none') : format.percent(node.reliability * 100)}
      </td>
      <td>{format.usd(node.earnedNanos / 1e9)}</td>
      <td>
        {!node.revokedAt && (
          <div className="row">
            {faults > 0 && (
              <button
                type="button"
                disabled={action.pending}
                onClick={() => call('/clear-faults', 'POST')}
                data-testid={`node-clear-faults-${node.id}`}
              >
                {t('nodes.clearFaults')}
              </button>
            )}
            <button
              type="button"
              disabled={action.pending}
              onClick={() => {
                if (window.confirm(t('nodes.confirmRevoke', { name: node.name || node.id })))
                  call('', 'DELETE');
              }}
              data-testid={`node-revoke-${node.id}`}
            >
              {t('nodes.revoke')}
            </button>
            <ActionStatus action={action} testId={`node-action-${node.id}`} />
          </div>
        )}
      </td>
    </tr>
  ) satisfies JSX.Element;
}
