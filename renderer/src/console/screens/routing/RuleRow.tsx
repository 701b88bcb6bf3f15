import { useState, type JSX } from 'react';
import type { RoutingRule, RoutingStrategy } from '../../../../../common/adminRecords';
import { ActionStatus } from '../../../components/ActionStatus';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { admin, query } from '../../api/consoleApi';
import { useT, type ConsoleKey } from '../../i18n/i18n';
import { describeRule } from './describeRule';
import { useDescribeWords } from './useDescribeWords';

export const STRATEGY_KEYS: Record<RoutingStrategy, ConsoleKey> = {
  cheapest: 'routing.strategyCheapest',
  fastest: 'routing.strategyFastest',
  balanced: 'routing.strategyBalanced',
  pinned: 'routing.strategyPinned',
};

/** One saved rule, in plain words; the org's own ones can be edited or removed. */
export function RuleRow(props: {
  rule: RoutingRule;
  /** Null for a rule shown read-only (a network-wide one). */
  onEdit: (() => void) | null;
  onRemoved: () => void;
}): JSX.Element {
  const { rule } = props;
  const { t } = useT();
  const format = useFormat();
  const words = useDescribeWords();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const id = `${rule.orgId === '*' ? 'network-' : ''}${rule.model}`;
  return (
    <tr data-testid={`routing-rule-${id}`}>
      {rule.model === '*' ? (
        <td>{t('routing.defaultModel')}</td>
      ) : (
        <td className="mono">{rule.model}</td>
      )}
      <td>{t(STRATEGY_KEYS[rule.strategy])}</td>
      <td data-testid={`routing-rule-text-${id}`}>{describeRule(rule, words)}</td>
      <td className="small">{format.dateTime(rule.updatedAt)}</td>
      {props.onEdit && (
        <td>
          <div className="row">
            <button type="button" onClick={props.onEdit} data-testid={`routing-rule-edit-${id}`}>
              {t('routing.edit')}
            </button>
            {confirming ? (
              <>
                <button
                  type="button"
                  className="primary"
                  disabled={action.pending}
                  onClick={() =>
                    void action.run(async () => {
                      await admin(
                        `/routing-rules${query({ orgId: rule.orgId, model: rule.model })}`,
                        'DELETE',
                        {}, // the gateway refuses an empty JSON body
                      );
                      props.onRemoved();
                    })
                  }
                  data-testid={`routing-rule-remove-confirm-${id}`}
                >
                  {t('routing.confirmRemove')}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>
                  {t('routing.keep')}
                </button>
              </>
            ) : (
              <button
                type="button"
                onClick={() => setConfirming(true)}
                data-testid={`routing-rule-remove-${id}`}
              >
                {t('routing.remove')}
              </button>
            )}
          </div>
          {action.error && <ActionStatus action={action} testId={`routing-rule-action-${id}`} />}
        </td>
      )}
    </tr>
  );
}

/** The rules table (the org's own, or the network-wide ones). */
export function RuleTable(props: {
  rules: RoutingRule[];
  onEdit: ((rule: RoutingRule) => void) | null;
  onRemoved: () => void;
}): JSX.Element {
  const { t } = useT();
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('routing.colModel')}</th>
            <th scope="col">{t('routing.colStrategy')}</th>
            <th scope="col">{t('routing.colSummary')}</th>
            <th scope="col">{t('routing.colUpdated')}</th>
            {props.onEdit && (
              <th scope="col">
                <span className="sr-only">{t('routing.colActions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {props.rules.map((rule) => (
            <RuleRow
              key={`${rule.orgId}/${rule.model}`}
              rule={rule}
              onEdit={props.onEdit && (() => props.onEdit?.(rule))}
              onRemoved={props.onRemoved}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
