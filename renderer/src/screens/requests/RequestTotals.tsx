import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ServedStats } from '../../../../common/nodeApi';
import { Stat } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';

/** Totals since the engine started. */
export function RequestTotals({ totals }: { totals: ServedStats }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const maybe = (value: number | null, digits = 1) =>
    value === null ? t('common.none') : format.number(value, digits);
  const rejected = Object.values(totals.rejections).reduce((sum, count) => sum + count, 0);
  return (
    <div className="stats-grid" data-testid="request-totals">
      <Stat
        label={t('requests.total')}
        value={format.number(totals.requests, 0)}
        testId="total-requests"
      />
      <Stat
        label={t('requests.tokens')}
        value={format.number(totals.promptTokens + totals.completionTokens, 0)}
        hint={t('requests.tokensSplit', {
          prompt: format.number(totals.promptTokens, 0),
          completion: format.number(totals.completionTokens, 0),
        })}
      />
      <Stat
        label={t('requests.tokensPerSecond')}
        value={maybe(totals.tokensPerSecond.p50)}
        hint={t('requests.p95', { value: maybe(totals.tokensPerSecond.p95) })}
        testId="total-tps"
      />
      <Stat
        label={t('requests.ttft')}
        value={maybe(totals.timeToFirstTokenMs.p50, 0)}
        hint={t('requests.p95', { value: maybe(totals.timeToFirstTokenMs.p95, 0) })}
      />
      <Stat label={t('requests.errors')} value={format.number(totals.errors, 0)} />
      <Stat label={t('requests.rejected')} value={format.number(rejected, 0)} />
    </div>
  );
}
