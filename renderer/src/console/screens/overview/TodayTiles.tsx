import type { JSX } from 'react';
import type { DailyUsageRow } from '../../../../../common/adminRecords';
import { Stat } from '../../../components/Card';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

/** Today's (UTC) requests, tokens, cost and errors. */
export function TodayTiles({ today }: { today: DailyUsageRow | undefined }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const day = today ?? {
    requests: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    costNanos: 0,
  };
  return (
    <div className="stats-grid" data-testid="overview-today">
      <Stat
        label={t('overview.requests')}
        value={format.number(day.requests, 0)}
        testId="overview-tile-requests"
      />
      <Stat
        label={t('overview.tokens')}
        value={format.number(day.promptTokens + day.completionTokens, 0)}
        hint={t('overview.tokensHint', {
          prompt: format.number(day.promptTokens, 0),
          completion: format.number(day.completionTokens, 0),
        })}
        testId="overview-tile-tokens"
      />
      <Stat
        label={t('overview.cost')}
        value={format.usd(day.costNanos / 1e9)}
        testId="overview-tile-cost"
      />
      <Stat
        label={t('overview.errors')}
        value={format.number(day.errors, 0)}
        hint={
          day.requests > 0
            ? t('overview.errorRate', { rate: format.percent((100 * day.errors) / day.requests) })
            : undefined
        }
        testId="overview-tile-errors"
      />
    </div>
  );
}
