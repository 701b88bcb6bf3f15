import type { JSX } from 'react';
import type { UsageGroupBy, UsageReportRow } from '../../../../../common/adminRecords';
import { BarChartView } from '../../../components/charts/Charts';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

/** Tokens and cost per group, as bars. */
export function UsageCharts(props: { by: UsageGroupBy; rows: UsageReportRow[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const rows = props.rows.map((row) => ({
    label: row.group,
    prompt: row.promptTokens,
    completion: row.completionTokens,
    requests: row.requests,
    cost: row.costNanos / 1e9,
  }));
  const by = t(`usage.byIn.${props.by}`);
  return (
    <div className="chart-grid">
      <BarChartView
        title={t('usage.chartTokens', { by })}
        rows={rows}
        series={[
          { key: 'prompt', label: t('usage.tokensIn') },
          { key: 'completion', label: t('usage.tokensOut') },
        ]}
        format={(value) => format.number(value, 0)}
        counts
        emptyText={t('usage.chartEmpty')}
        testId="usage-chart-tokens"
      />
      <BarChartView
        title={t('usage.chartCost', { by })}
        rows={rows}
        series={[{ key: 'cost', label: t('usage.cost') }]}
        format={format.usd}
        emptyText={t('usage.chartEmpty')}
        testId="usage-chart-cost"
      />
    </div>
  );
}
