import { useEffect, useState, type JSX } from 'react';
import type { ApiKeyInfo, QuotaStatus } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { NumberField, parseNumber } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { localError } from '../../../stores/uiError';
import { admin, adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { LIMIT_BOUNDS, parseWhole } from './limitBounds';
import { QuotaMeter } from './QuotaMeter';
import { ORG_SCOPE, ScopeField, scopeLabel } from './ScopeField';

/** This month's quotas with their usage, and a form to set or clear one. */
export function QuotasCard({ orgId, keys }: { orgId: string; keys: ApiKeyInfo[] }) {
  const { t } = useT();
  const format = useFormat();
  const quotas = useResource(() => adminList<QuotaStatus>(`/quotas${query({ orgId })}`), [orgId]);
  const [scope, setScope] = useState(ORG_SCOPE);
  const [usd, setUsd] = useState('');
  const [tokens, setTokens] = useState('');
  const action = useAction();
  const current = quotas.data?.find((q) => (q.keyId ?? ORG_SCOPE) === scope);
  useEffect(() => {
    setUsd(current?.monthlyNanos == null ? '' : String(current.monthlyNanos / 1e9));
    setTokens(current?.monthlyTokens == null ? '' : String(current.monthlyTokens));
  }, [current]);
  return (
    <Card
      title={t('limits.quotaTitle')}
      testId="limits-quota"
      actions={
        <button
          type="button"
          onClick={() => void quotas.reload()}
          data-testid="limits-quota-refresh"
        >
          {t('common.refresh')}
        </button>
      }
    >
      <ResourceView
        {...quotas}
        onRetry={() => void quotas.reload()}
        empty={{
          when: (list) => list.length === 0,
          text: t('limits.quotaEmpty'),
          testId: 'limits-quota-empty',
        }}
      >
        {(list) => (
          <div className="form">
            {list.map((quota) => {
              const id = quota.keyId ?? 'org';
              return (
                <div key={id} className="form" data-testid={`limits-quota-row-${id}`}>
                  <strong>
                    {scopeLabel(t, keys, quota.keyId)} · {t('limits.month', { month: quota.month })}
                  </strong>
                  {quota.monthlyNanos !== null && (
                    <QuotaMeter
                      label={t('limits.spend')}
                      used={quota.spentNanos}
                      limit={quota.monthlyNanos}
                      show={(nanos) => format.usd(nanos / 1e9)}
                      testId={`limits-quota-usd-${id}`}
                    />
                  )}
                  {quota.monthlyTokens !== null && (
                    <QuotaMeter
                      label={t('limits.tokens')}
                      used={quota.spentTokens}
                      limit={quota.monthlyTokens}
                      show={(count) => format.number(count, 0)}
                      testId={`limits-quota-tokens-${id}`}
                    />
                  )}
                  {(quota.reservedNanos > 0 || quota.reservedTokens > 0) && (
                    <p className="help">
                      {t('limits.reserved', {
                        usd: format.usd(quota.reservedNanos / 1e9),
                        tokens: format.number(quota.reservedTokens, 0),
                      })}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        )}
      </ResourceView>
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const money = parseNumber(usd);
          if (
            usd.trim() !== '' &&
            (money === null || money <= 0 || money > LIMIT_BOUNDS.maxQuotaUsd)
          ) {
            action.fail(
              localError(t('limits.badQuotaUsd', { max: format.usd(LIMIT_BOUNDS.maxQuotaUsd) })),
            );
            return;
          }
          const count = parseWhole(tokens, 1, LIMIT_BOUNDS.maxQuotaTokens);
          if (count === 'bad') {
            action.fail(localError(t('limits.badQuotaTokens')));
            return;
          }
          void action.run(async () => {
            await admin('/quotas', 'PUT', {
              orgId,
              keyId: scope === ORG_SCOPE ? null : scope,
              monthlyUsd: money,
              monthlyTokens: count,
            });
            await quotas.reload();
          });
        }}
      >
        <div className="form inline">
          <ScopeField keys={keys} value={scope} onChange={setScope} testId="limits-quota-scope" />
          <NumberField
            label={t('limits.quotaUsd')}
            value={usd}
            onChange={setUsd}
            min={0}
            unit="USD"
            testId="limits-quota-usd"
          />
          <NumberField
            label={t('limits.quotaTokens')}
            value={tokens}
            onChange={setTokens}
            min={1}
            step={1}
            testId="limits-quota-tokens"
          />
        </div>
        <p className="help">{t('limits.quotaHelp')}</p>
        <SubmitRow action={action} testId="limits-quota" label={t('limits.quotaSave')} />
      </form>
    </Card>
  ) satisfies JSX.Element;
}
