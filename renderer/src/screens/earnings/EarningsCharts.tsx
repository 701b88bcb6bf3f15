import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { EarningsSummary } from '../../../../common/nodeApi';
import { Card } from '../../components/Card';
import { BarChartView } from '../../components/charts/Charts';
import { useFormat } from '../../hooks/useFormat';

/** Earnings per day and per model. */
export function EarningsCharts({ summary }: { summary: EarningsSummary }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const series = [{ key: 'amount', label: t('earnings.amount') }];
  const rows = (points: EarningsSummary['perDay']) =>
    points.map((point) => ({ label: point.key, amount: point.amount }));
  return (
    <Card title={t('earnings.charts')} className="charts">
      <div className="chart-grid">
        <BarChartView
          title={t('earnings.perDay')}
          rows={rows(summary.perDay)}
          series={series}
          format={format.usd}
          emptyText={t('earnings.noEarnings')}
          testId="chart-earnings-day"
        />
        <BarChartView
          title={t('earnings.perModel')}
          rows={rows(summary.perModel)}
          series={series}
          format={format.usd}
          emptyText={t('earnings.noEarnings')}
          testId="chart-earnings-model"
        />
      </div>
    </Card>
  );
}
