import { useState, type JSX } from 'react';
import type { DailyUsageRow } from '../../../../../common/adminRecords';
import { BarChartView, LineChartView } from '../../../components/charts/Charts';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

const PERIODS = [7, 30] as const;
type Period = (typeof PERIODS)[number];

/** Requests, tokens and cost per UTC day over the last 7 or 30 days. */
export function DailyCharts({ days }: { days: DailyUsageRow[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const [period, setPeriod] = useState<Period>(7);
  const dayLabel = new Intl.DateTimeFormat(format.language, {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
  const rows = days.slice(-period).map((day) => ({
    label: dayLabel.format(new Date(`${day.day}T00:00:00Z`)),
    requests: day.requests,
    errors: day.errors,
    prompt: day.promptTokens,
    completion: day.completionTokens,
    cost: day.costNanos / 1e9,
  }));
  const count = (value: number) => format.number(value, 0);
  return (
    <>
      <fieldset className="segmented" data-testid="overview-period">
        <legend>{t('overview.period')}</legend>
        {PERIODS.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="overview-period"
              checked={period === value}
              onChange={() => setPeriod(value)}
              data-testid={`overview-period-${value}`}
            />
            <span>{t('overview.lastDays', { count: value })}</span>
          </label>
        ))}
      </fieldset>
      <div className="chart-grid">
        <LineChartView
          title={t('overview.chartRequests', { count: period })}
          rows={rows}
          series={[
            { key: 'requests', label: t('overview.requests') },
            { key: 'errors', label: t('overview.errors') },
          ]}
          format={count}
          counts
          emptyText={t('overview.chartEmpty')}
          testId="overview-chart-requests"
        />
        <BarChartView
          title={t('overview.chartTokens', { count: period })}
          rows={rows}
          series={[
            { key: 'prompt', label: t('overview.tokensIn') },
            { key: 'completion', label: t('overview.tokensOut') },
          ]}
          format={count}
          counts
          emptyText={t('overview.chartEmpty')}
          testId="overview-chart-tokens"
        />
        <LineChartView
          title={t('overview.chartCost', { count: period })}
          rows={rows}
          series={[{ key: 'cost', label: t('overview.cost') }]}
          format={format.usd}
          emptyText={t('overview.chartEmpty')}
          testId="overview-chart-cost"
        />
      </div>
    </>
  );
}
