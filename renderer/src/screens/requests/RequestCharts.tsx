import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatsBucket, StatsBucketSize } from '../../../../common/nodeApi';
import { Card } from '../../components/Card';
import { BarChartView, LineChartView } from '../../components/charts/Charts';
import { formatBucketLabel } from '../../format/format';
import { useFormat } from '../../hooks/useFormat';
import { rejectionReason } from './rejectionReason';

interface Props {
  buckets: StatsBucket[];
  size: StatsBucketSize;
}

/** Tokens/s and time to first token (p50, p95), requests and errors, rejections by reason. */
export function RequestCharts({ buckets, size }: Props): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const rows = buckets.map((bucket) => ({
    label: formatBucketLabel(bucket.start, size, format.language),
    tpsP50: bucket.tokensPerSecond.p50,
    tpsP95: bucket.tokensPerSecond.p95,
    ttftP50: bucket.timeToFirstTokenMs.p50,
    ttftP95: bucket.timeToFirstTokenMs.p95,
    requests: bucket.requests,
    errors: bucket.errors,
  }));
  const rejections = new Map<string, number>();
  for (const bucket of buckets) {
    for (const [reason, count] of Object.entries(bucket.rejections)) {
      rejections.set(reason, (rejections.get(reason) ?? 0) + count);
    }
  }
  const rejectionRows = [...rejections].map(([reason, count]) => ({
    label: rejectionReason(t, reason),
    count,
  }));
  const noData = t('requests.noData');
  return (
    <Card title={t('requests.charts')} className="charts">
      <div className="chart-grid">
        <LineChartView
          title={t('requests.tokensPerSecond')}
          rows={rows}
          series={[
            { key: 'tpsP50', label: t('requests.p50Label') },
            { key: 'tpsP95', label: t('requests.p95Label') },
          ]}
          format={(value) => format.number(value)}
          emptyText={noData}
          testId="chart-tps"
        />
        <LineChartView
          title={t('requests.ttftChart')}
          rows={rows}
          series={[
            { key: 'ttftP50', label: t('requests.p50Label') },
            { key: 'ttftP95', label: t('requests.p95Label') },
          ]}
          format={(value) => format.number(value, 0)}
          counts
          emptyText={noData}
          testId="chart-ttft"
        />
        <BarChartView
          title={t('requests.requestsAndErrors')}
          rows={rows}
          series={[
            { key: 'requests', label: t('requests.requestsLabel') },
            { key: 'errors', label: t('requests.errors') },
          ]}
          format={(value) => format.number(value, 0)}
          counts
          emptyText={noData}
          testId="chart-requests"
        />
        <BarChartView
          title={t('requests.rejectionsChart')}
          rows={rejectionRows}
          series={[{ key: 'count', label: t('requests.rejected') }]}
          format={(value) => format.number(value, 0)}
          counts
          emptyText={t('requests.noRejections')}
          testId="chart-rejections"
        />
      </div>
    </Card>
  );
}
