import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatsBucket, StatsBucketSize } from '../../../../common/nodeApi';
import { Card } from '../../components/Card';
import { formatBucketLabel } from '../../format/format';
import { useFormat } from '../../hooks/useFormat';
import { rejectionReason } from './rejectionReason';

const ROWS = 30;

/** The latest buckets that saw traffic, newest first: counts and timings only. */
export function RecentRequests(props: {
  buckets: StatsBucket[];
  size: StatsBucketSize;
}): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const busy = props.buckets
    .filter(
      (bucket) =>
        bucket.requests > 0 || bucket.errors > 0 || Object.keys(bucket.rejections).length > 0,
    )
    .reverse()
    .slice(0, ROWS);
  const maybe = (value: number | null, digits = 1) =>
    value === null ? t('common.none') : format.number(value, digits);
  return (
    <Card title={t('requests.recent')} testId="recent-requests">
      {busy.length === 0 ? (
        <p className="empty" data-testid="recent-empty">
          {t('requests.noRecent')}
        </p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('requests.period')}</th>
              <th scope="col">{t('requests.requestsLabel')}</th>
              <th scope="col">{t('requests.completionTokens')}</th>
              <th scope="col">{t('requests.tokensPerSecond')}</th>
              <th scope="col">{t('requests.ttft')}</th>
              <th scope="col">{t('requests.errors')}</th>
              <th scope="col">{t('requests.rejected')}</th>
            </tr>
          </thead>
          <tbody>
            {busy.map((bucket) => (
              <tr key={bucket.start} data-testid="recent-row">
                <th scope="row">{formatBucketLabel(bucket.start, props.size, format.language)}</th>
                <td data-testid="recent-requests-count">{format.number(bucket.requests, 0)}</td>
                <td>{format.number(bucket.completionTokens, 0)}</td>
                <td>{maybe(bucket.tokensPerSecond.p50)}</td>
                <td>{maybe(bucket.timeToFirstTokenMs.p50, 0)}</td>
                <td>{format.number(bucket.errors, 0)}</td>
                <td>
                  {Object.entries(bucket.rejections)
                    .map(([reason, count]) => `${rejectionReason(t, reason)}: ${count}`)
                    .join(', ') || '0'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
